/**
 * Issue 14 item 1: nothing a server or the network does gives a 5xx. Against a real sshd that is
 * stopped (refused), a listener that accepts and never speaks (timeout, with
 * SSH_CONNECT_TIMEOUT_SECONDS small), a wrong password (login refused) and a pin that does not
 * match the server's key (host key refused), every route that reaches a server answers a typed
 * status: drift 200 `state: "unreachable"`, the config views 200, the connection test 202 and a
 * failed task with a plain message; DNS checks, upstream probes and the Telegram test against
 * refused and silent peers answer 200 with their status field. No body carries a stack.
 *
 * The production bug behind the issue: Next.js bundles lib/ once per layer, and the SSH pool (a
 * process-wide singleton) made by one copy throws that copy's error classes into the routes of
 * another, where `instanceof SshError` failed and drift answered 500. The last test makes the pool
 * from a second copy of the modules, as Next does.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api, type ApiResponse } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair, startSshd, type SshdInstance } from '../support/sshd';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { config } from '@/lib/config';
import { seedBuiltinTemplates } from '@/lib/proxy/templates-service';
import { serverTaskHandlers } from '@/lib/servers/tasks';
import { getSshPool } from '@/lib/ssh/pool';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';

const enabled = requireBinary('sshd', 'ssh-keygen');

/** A TCP listener that accepts and never sends a byte: the SSH banner never comes. */
async function silentListener(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

/** The answer is typed: no 5xx other than a declared 502/504, and no stack or address in the body. */
function expectTyped(r: ApiResponse, status: number) {
  expect(r.status, r.text).toBe(status);
  expect(r.text).not.toMatch(/\n\s+at |\bat .*\.[jt]s:\d+|internal_error|ECONNREFUSED|ETIMEDOUT/);
}

describe.skipIf(!enabled)('server-reaching routes when the server fails', () => {
  let sshd: SshdInstance;
  let stopped: SshdInstance;
  let silent: Awaited<ReturnType<typeof silentListener>>;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    registerTaskHandlers(serverTaskHandlers);
    [sshd, stopped, silent] = await Promise.all([
      startSshd({ users: [{ name: 'root' }, { name: 'pw', password: 'right-password-1' }] }),
      startSshd({ users: [{ name: 'root' }] }),
      silentListener(),
    ]);
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await Promise.all([sshd?.stop(), stopped?.stop(), silent?.close()]);
  });

  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let adminToken: string;
    let userToken: string;
    const ids = {} as Record<'refused' | 'timeout' | 'auth' | 'hostKey', string>;
    const reasons = { refused: 'refused', timeout: 'timeout', auth: 'auth_failed', hostKey: 'host_key_mismatch' } as const;

    const addServer = async (name: string, body: Record<string, unknown>) => {
      const r = await api('POST', '/api/v1/servers', { token: adminToken, body: { name, host: '127.0.0.1', monitoringEnabled: false, ...body } });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };

    beforeAll(async () => {
      tdb = await openTestDb(dialect, { SSH_CONNECT_TIMEOUT_SECONDS: '0.5', TELEGRAM_API_URL: `http://127.0.0.1:${await freePort()}` });
      const seed = await seedUsers();
      adminToken = seed.adminToken;
      userToken = seed.userToken;
      await seedBuiltinTemplates();
      const root = (i: SshdInstance) => ({ sshPort: i.port, authMethod: 'key', privateKey: i.user('root').privateKey });
      // Pinned to the stopped sshd's real key, so only the refusal is wrong.
      ids.refused = await addServer(`refused-${dialect}`, { ...root(stopped), hostKeyFingerprint: stopped.hostKeyFingerprint });
      ids.timeout = await addServer(`timeout-${dialect}`, { sshPort: silent.port, authMethod: 'password', password: 'whatever-1' });
      ids.auth = await addServer(`auth-${dialect}`, { sshPort: sshd.port, sshUser: sshd.user('pw').username, authMethod: 'password', password: 'wrong-password-1' });
      ids.hostKey = await addServer(`hostkey-${dialect}`, { ...root(sshd), hostKeyFingerprint: (await generateKeyPair()).fingerprint });
      for (const id of Object.values(ids)) {
        await api('PATCH', `/api/v1/servers/${id}`, { token: adminToken, body: { sharedWith: [seed.user.id] } });
      }
      if (dialect === dialects[0]) await stopped.stop();
    });
    afterAll(async () => {
      await getSshPool().closeAll();
      await tdb?.close();
    });

    it('the timeout is configurable and small here', () => {
      expect(config().SSH_CONNECT_TIMEOUT_SECONDS).toBe(0.5);
    });

    it('the OpenAPI document declares drift\'s unreachable state and the 502/504 of server-reaching routes', async () => {
      const doc = (await api('GET', '/api/v1/openapi.json', { token: adminToken })).body;
      const drift = doc.paths['/servers/{id}/drift'].get.responses;
      expect(JSON.stringify(drift['200'])).toMatch(/unreachable/);
      for (const [path, method] of [['/servers/{id}/drift', 'get'], ['/servers/{id}/config', 'get'], ['/domains/{id}/config', 'get'], ['/domains/{id}/check-dns', 'post'], ['/upstreams/{id}/check', 'post'], ['/settings/telegram/test', 'post']]) {
        expect(Object.keys(doc.paths[path][method].responses), path).toEqual(expect.arrayContaining(['502', '504']));
      }
    });

    it.each(['refused', 'timeout', 'auth', 'hostKey'] as const)('drift of a server whose %s: 200 state unreachable with a plain error, to admins and users', async (kind) => {
      for (const token of [adminToken, userToken]) {
        const r = await api('GET', `/api/v1/servers/${ids[kind]}/drift`, { token });
        expectTyped(r, 200);
        expect(r.body).toMatchObject({ serverId: ids[kind], state: 'unreachable', reason: reasons[kind] });
        expect(typeof r.body.error).toBe('string');
        expect(r.body.error.length).toBeGreaterThan(10);
        expect(r.body).not.toHaveProperty('drift');
      }
    });

    it.each(['refused', 'timeout', 'auth', 'hostKey'] as const)('config views and the server itself of a server whose %s: 200', async (kind) => {
      const upstream = await api('POST', '/api/v1/upstreams', { token: adminToken, body: { name: `pool-${kind.toLowerCase()}-${dialect}`, targets: [{ host: '127.0.0.1', port: 9 }] } });
      expect(upstream.status, upstream.text).toBe(201);
      const domain = await api('POST', '/api/v1/domains', { token: adminToken, body: { fqdn: `${kind.toLowerCase()}-${dialect}.example.test`, serverId: ids[kind], upstreamId: upstream.body.id } });
      expect(domain.status, domain.text).toBe(201);
      expectTyped(await api('GET', `/api/v1/servers/${ids[kind]}/config`, { token: adminToken }), 200);
      expectTyped(await api('GET', `/api/v1/domains/${domain.body.id}/config`, { token: userToken }), 200);
      expectTyped(await api('GET', `/api/v1/servers/${ids[kind]}`, { token: adminToken }), 200);
      expectTyped(await api('GET', `/api/v1/servers/${ids[kind]}/metrics`, { token: adminToken }), 200);
    });

    it.each([
      ['refused', /refused the connection/],
      ['timeout', /Timed out/],
      ['auth', /authentication failed/],
      ['hostKey', /host key changed/],
    ] as const)('the connection test of a server whose %s: 202, then a failed task with a plain message', async (kind, message) => {
      const r = await api('POST', `/api/v1/servers/${ids[kind]}/test`, { token: adminToken });
      expectTyped(r, 202);
      const task = await waitForTask(r.body.taskId);
      expect(task.status).toBe('failed');
      expect(task.error).toMatch(message);
      expect(task.error).not.toMatch(/\n\s+at /);
    });

    it('a DNS check against resolvers that refuse or never answer: 200 with status error', async () => {
      const dead = await freePort();
      const patch = await api('PATCH', '/api/v1/settings', { token: adminToken, body: { dns: { servers: [`127.0.0.1:${dead}`] } } });
      expect(patch.status, patch.text).toBe(200);
      const upstream = await api('POST', '/api/v1/upstreams', { token: adminToken, body: { name: `dns-pool-${dialect}`, targets: [{ host: '127.0.0.1', port: 9 }] } });
      const domain = await api('POST', '/api/v1/domains', {
        token: adminToken,
        body: { fqdn: `dns-${dialect}.example.test`, serverId: ids.refused, upstreamId: upstream.body.id, nameservers: { expected: ['ns1.example.test'] } },
      });
      expect(domain.status, domain.text).toBe(201);
      const r = await api('POST', `/api/v1/domains/${domain.body.id}/check-dns`, { token: adminToken });
      expectTyped(r, 200);
      expect(r.body.status).toBe('error');
    });

    it('an upstream check of targets that refuse or never answer: 200 with each target down', async () => {
      const dead = await freePort();
      const upstream = await api('POST', '/api/v1/upstreams', {
        token: adminToken,
        body: { name: `probe-pool-${dialect}`, targets: [{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: silent.port }], healthCheck: { type: 'http', path: '/health' } },
      });
      expect(upstream.status, upstream.text).toBe(201);
      const r = await api('POST', `/api/v1/upstreams/${upstream.body.id}/check`, { token: adminToken });
      expectTyped(r, 200);
      expect(r.body.targets.map((t: { status: string }) => t.status)).toEqual(['down', 'down']);
    });

    it('the Telegram test against an API that refuses: 200 ok false with a plain message', async () => {
      const patch = await api('PATCH', '/api/v1/settings', { token: adminToken, body: { telegram: { botToken: '123456789:AAHfake-token-for-tests_0123456789', chatId: '-1001' } } });
      expect(patch.status, patch.text).toBe(200);
      const r = await api('POST', '/api/v1/settings/telegram/test', { token: adminToken });
      expectTyped(r, 200);
      expect(r.body.ok).toBe(false);
    });
  });

  /**
   * Last in this file: after vi.resetModules every later import is a fresh copy (its own config
   * and database handle), so nothing may call the api helper after it.
   */
  describe('with the SSH pool made by another copy of lib (as Next.js bundles it per layer)', () => {
    let tdb: TestDb;
    afterAll(async () => tdb?.close());

    it('drift still answers 200 unreachable, and a host-key refusal is still recorded', async () => {
      tdb = await openTestDb(dialects[0]);
      const { adminToken } = await seedUsers();
      const add = async (name: string, body: Record<string, unknown>) => {
        const r = await api('POST', '/api/v1/servers', { token: adminToken, body: { name, host: '127.0.0.1', monitoringEnabled: false, ...body } });
        expect(r.status, r.text).toBe(201);
        return r.body.id as string;
      };
      const refused = await add('copy-refused', { sshPort: stopped.port, authMethod: 'key', privateKey: stopped.user('root').privateKey });
      const hostKey = await add('copy-hostkey', { sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, hostKeyFingerprint: (await generateKeyPair()).fingerprint });
      const route = await import('@/app/api/v1/servers/[id]/drift/route');
      const serverRoute = await import('@/app/api/v1/servers/[id]/route');
      await getSshPool().closeAll();

      const key = Symbol.for('gatehouse.sshPool');
      const g = globalThis as Record<symbol, unknown>;
      const original = g[key];
      vi.resetModules();
      const other = await import('@/lib/ssh/pool');
      expect(other.SshPool).not.toBe((original as object).constructor);
      g[key] = new other.SshPool({ connectOptions: { readyTimeoutMs: 2000 } });
      try {
        const call = async (mod: { GET: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> }, id: string) => {
          const res = await mod.GET(new Request(`http://localhost/api/v1/servers/${id}`, { headers: { authorization: `Bearer ${adminToken}` } }), { params: Promise.resolve({ id }) });
          return { status: res.status, text: await res.text() };
        };
        for (const [id, reason] of [[refused, 'refused'], [hostKey, 'host_key_mismatch']] as const) {
          const r = await call(route, id);
          expect(r.status, r.text).toBe(200);
          expect(JSON.parse(r.text)).toMatchObject({ state: 'unreachable', reason });
        }
        // The refused key was kept beside the pin (withServer saw a HostKeyMismatchError of the other copy).
        const server = JSON.parse((await call(serverRoute, hostKey)).text);
        expect(server.offeredHostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
      } finally {
        await (g[key] as { closeAll: () => Promise<void> }).closeAll();
        g[key] = original;
      }
    });
  });
});
