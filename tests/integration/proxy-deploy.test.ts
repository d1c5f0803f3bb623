/**
 * Deploys to a real sshd + nginx and real upstreams on loopback: traffic reaches every target of
 * a pool, a backup serves only when the others are down, WebSockets pass, client_max_body_size
 * is enforced, and an upstream name that does not resolve never stops Nginx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { requireBinary } from '../support/process';
import { connectWebSocket, startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { httpRequest } from '../support/wait';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getDb, newId } from '@/lib/db';
import { seal } from '@/lib/crypto/secret-box';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { registerTaskHandlers } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

/** A self-signed certificate for `name` (openssl), as PEM text. */
function selfSigned(name: string): { cert: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`,
      '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`], { stdio: 'ignore' });
    return { cert: fs.readFileSync(`${dir}/cert.pem`, 'utf8'), key: fs.readFileSync(`${dir}/key.pem`, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen', 'openssl'))('proxy deploys and traffic', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let target: DeployTarget;
    const ups: HttpUpstream[] = [];

    const upstream = async (name: string, targets: Record<string, unknown>[], extra: Record<string, unknown> = {}) => {
      const r = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name, targets, ...extra } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const domain = async (fqdn: string, upstreamId: string, extra: Record<string, unknown> = {}) => {
      const r = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, serverId: target.serverId, upstreamId, ...extra } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const http = async (name: string) => {
      const u = await startHttpUpstream({ name });
      ups.push(u);
      return u;
    };
    const deployOk = async (domainId?: string) => {
      const task = await target.deploy(domainId);
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
      return task;
    };
    const servedBy = async (host: string, n: number) => {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = await target.request(host);
        expect(r.status, r.body).toBe(200);
        names.push(JSON.parse(r.body).upstream);
      }
      return names;
    };

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      s = await seedUsers();
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(s.adminToken, `traffic-${dialect}`);
    });
    afterAll(async () => {
      for (const u of ups) await u.stop();
      await target?.stop();
      await tdb?.close();
    });

    it('sends a domain\'s traffic to every target of its pool', async () => {
      const [a, b, c] = [await http('a'), await http('b'), await http('c')];
      const pool = await upstream('pool-abc', [a, b, c].map((u) => ({ host: '127.0.0.1', port: u.port })));
      const id = await domain('pool.gatehouse.test', pool);
      const task = await deployOk();
      expect(task.result?.uploaded).toEqual(['domains/pool.gatehouse.test.conf', 'upstreams.conf']);
      expect(task.result?.probes).toEqual([{ fqdn: 'pool.gatehouse.test', status: 200 }]);
      expect(new Set(await servedBy('pool.gatehouse.test', 12))).toEqual(new Set(['a', 'b', 'c']));
      const d = await api('GET', `/api/v1/domains/${id}`, { token: s.adminToken });
      expect(d.body.status).toBe('deployed');
      expect(d.body.deployedAt).not.toBeNull();
      // The request reached the upstream with the proxy headers the built-in template sets.
      expect(a.hits.concat(b.hits, c.hits)[0].headers['x-forwarded-for']).toBe('127.0.0.1');
      // A second deploy finds nothing to change and does not reload.
      const again = await deployOk();
      expect(again.result?.uploaded).toEqual([]);
    });

    it('uses a backup target only while the others are down', async () => {
      const [main, spare] = [await http('main'), await http('spare')];
      const pool = await upstream('pool-backup', [
        { host: '127.0.0.1', port: main.port, maxFails: 1, failTimeoutSeconds: 30 },
        { host: '127.0.0.1', port: spare.port, backup: true },
      ]);
      await domain('backup.gatehouse.test', pool);
      await deployOk();
      expect(new Set(await servedBy('backup.gatehouse.test', 6))).toEqual(new Set(['main']));
      expect(spare.hits).toHaveLength(0);
      await main.stop();
      expect(new Set(await servedBy('backup.gatehouse.test', 4))).toEqual(new Set(['spare']));
    });

    it('proxies WebSockets when the domain enables them', async () => {
      const echo = await http('echo');
      const pool = await upstream('pool-ws', [{ host: '127.0.0.1', port: echo.port }], { keepalive: 8 });
      await domain('ws.gatehouse.test', pool, { websocket: true });
      await deployOk();
      const ws = await connectWebSocket('ws://ws.gatehouse.test/socket', { connectTo: { host: '127.0.0.1', port: target.httpPort } });
      ws.send('hello through nginx');
      expect(await ws.next()).toBe('hello through nginx');
      await ws.close();
      expect(echo.wsConnections).toHaveLength(1);
      // Plain requests on the same keepalive pool still work.
      expect((await target.request('ws.gatehouse.test')).status).toBe(200);
    });

    it('enforces client_max_body_size with a 413', async () => {
      const up = await http('body');
      const pool = await upstream('pool-body', [{ host: '127.0.0.1', port: up.port }]);
      await domain('body.gatehouse.test', pool, { clientMaxBodySize: '1k' });
      await deployOk();
      const small = await target.request('body.gatehouse.test', { method: 'POST', body: Buffer.alloc(600, 'x') });
      expect(small.status).toBe(200);
      expect(JSON.parse(small.body).bodyBytes).toBe(600);
      const big = await target.request('body.gatehouse.test', { method: 'POST', body: Buffer.alloc(4096, 'x') });
      expect(big.status).toBe(413);
    });

    it('keeps Nginx starting when an upstream host name does not resolve', async () => {
      const live = await http('live');
      const pool = await upstream('pool-dns', [
        { host: 'no-such-host.gatehouse-test.invalid', port: 8080 },
        { host: 'localhost', port: live.port },
      ]);
      const id = await domain('dns.gatehouse.test', pool);
      const task = await deployOk();
      const log = await taskLog(s.adminToken, task.id);
      expect(log).toContain('no-such-host.gatehouse-test.invalid does not resolve on the server');
      const conf = target.file('upstreams.conf')!;
      expect(conf).toMatch(/# no-such-host\.gatehouse-test\.invalid:8080 did not resolve[^\n]*\n\s+server 127\.0\.0\.1:8080 [^\n]* down;/);
      // "localhost" was resolved on the server (getent) into its addresses.
      expect(conf).toMatch(/# localhost:\d+\n\s+server (127\.0\.0\.1|\[::1\]):/);
      expect(new Set(await servedBy('dns.gatehouse.test', 4))).toEqual(new Set(['live']));
      expect((await api('GET', `/api/v1/domains/${id}`, { token: s.adminToken })).body.status).toBe('deployed');
      // nginx really restarts with this file (a name resolved at start-up would stop it here).
      expect((await target.nginx.test()).ok).toBe(true);
      // A one-domain deploy elsewhere rewrites upstreams.conf but keeps this pool resolved.
      const other = await domain('other-dns.gatehouse.test', await upstream('pool-other', [{ host: '127.0.0.1', port: live.port }]));
      const single = await deployOk(other);
      expect(single.result?.uploaded).toEqual(['domains/other-dns.gatehouse.test.conf', 'upstreams.conf']);
      expect(target.file('upstreams.conf')).toMatch(/# localhost:\d+\n\s+server (127\.0\.0\.1|\[::1\]):/);
      expect(new Set(await servedBy('dns.gatehouse.test', 2))).toEqual(new Set(['live']));
    });

    it('serves HTTPS with a custom certificate; the key is written 0600 and never shown', async () => {
      const up = await http('tls');
      const pool = await upstream('pool-tls', [{ host: '127.0.0.1', port: up.port }]);
      const { cert, key } = selfSigned('tls.gatehouse.test');
      const now = new Date();
      const certificateId = newId();
      const { db, t } = getDb();
      await db.insert(t.certificates).values({
        id: certificateId, source: 'custom', status: 'valid', names: ['tls.gatehouse.test'], certificatePem: cert, privateKeyEnc: seal(key),
        notBefore: now, notAfter: new Date(now.getTime() + 86_400_000), createdAt: now, updatedAt: now,
      });
      const id = await domain('tls.gatehouse.test', pool, { ssl: { mode: 'custom', certificateId, forceHttps: true, hsts: true } });
      const task = await deployOk();
      expect(task.result?.uploaded).toEqual(expect.arrayContaining([`certs/${certificateId}.crt`, `certs/${certificateId}.key`]));
      expect(fs.statSync(path.join(target.managedDir, `certs/${certificateId}.key`)).mode & 0o777).toBe(0o600);
      const plain = await target.request('tls.gatehouse.test');
      expect(plain.status).toBe(301);
      const httpsPort = (await api('GET', `/api/v1/servers/${target.serverId}`, { token: s.adminToken })).body.nginxLayout.httpsPort;
      expect(plain.headers.location).toBe(`https://tls.gatehouse.test:${httpsPort}/`);
      const secure = await httpRequest('https://tls.gatehouse.test/', { ca: cert, connectTo: { host: '127.0.0.1', port: httpsPort } });
      expect(secure.status).toBe(200);
      expect(JSON.parse(secure.body).upstream).toBe('tls');
      expect(secure.headers['strict-transport-security']).toBe('max-age=63072000');
      // The key never leaves in a response, a task log or the manifest.
      const cfg = await api('GET', `/api/v1/domains/${id}/config`, { token: s.adminToken });
      const everything = JSON.stringify(cfg.body) + (await taskLog(s.adminToken, task.id)) + JSON.stringify(await db.select().from(t.deployedFiles));
      expect(everything).not.toContain('PRIVATE KEY');
      expect(everything).not.toContain(key.split('\n')[1]);
      expect(cfg.body.files.map((f: { name: string }) => f.name)).toEqual([`domains/tls.gatehouse.test.conf`, `certs/${certificateId}.crt`, `certs/${certificateId}.key`]);
    });
  });
});
