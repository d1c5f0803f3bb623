/**
 * Redirection hosts, locations and access lists through a real sshd + nginx, with real traffic:
 * redirect codes and Location headers with and without the request's path and query over HTTP
 * and HTTPS; a location routed to another pool or redirected; basic auth (right password 200,
 * wrong 401) and address rules (denied 403) under `satisfy all` and `satisfy any`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { requireBinary } from '../support/process';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { httpRequest } from '../support/wait';
import { getDb, newId } from '@/lib/db';
import { seal } from '@/lib/crypto/secret-box';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { registerTaskHandlers } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

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

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen', 'openssl'))('redirects, locations and access lists', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let target: DeployTarget;
    let httpsPort: number;
    const ups: HttpUpstream[] = [];

    const post = async (url: string, body: Record<string, unknown>) => {
      const r = await api('POST', url, { token: s.adminToken, body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const pool = async (name: string) => {
      const u = await startHttpUpstream({ name });
      ups.push(u);
      return post('/api/v1/upstreams', { name: `pool-${name}`, targets: [{ host: '127.0.0.1', port: u.port }] });
    };
    const domain = (fqdn: string, extra: Record<string, unknown>) => post('/api/v1/domains', { fqdn, serverId: target.serverId, ...extra });
    const deployOk = async () => {
      const task = await target.deploy();
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
      return task;
    };

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      s = await seedUsers();
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(s.adminToken, `routing-${dialect}`);
      httpsPort = (await api('GET', `/api/v1/servers/${target.serverId}`, { token: s.adminToken })).body.nginxLayout.httpsPort;
    });
    afterAll(async () => {
      for (const u of ups) await u.stop();
      await target?.stop();
      await tdb?.close();
    });

    it('redirects with each code, keeping the path and query or not, over HTTP and HTTPS', async () => {
      await domain('keep.gatehouse.test', { redirect: { url: 'https://new.example.org/base/', code: 308 } });
      await domain('drop.gatehouse.test', { redirect: { url: 'http://new.example.org/landing?from=old', code: 302, preservePath: false } });
      await domain('temp.gatehouse.test', { redirect: { url: 'https://new.example.org', code: 307 } });
      const { cert, key } = selfSigned('tls-redirect.gatehouse.test');
      const now = new Date();
      const certificateId = newId();
      const { db, t } = getDb();
      await db.insert(t.certificates).values({
        id: certificateId, source: 'custom', status: 'valid', names: ['tls-redirect.gatehouse.test'], certificatePem: cert, privateKeyEnc: seal(key),
        notBefore: now, notAfter: new Date(now.getTime() + 86_400_000), createdAt: now, updatedAt: now,
      });
      await domain('tls-redirect.gatehouse.test', { redirect: { url: 'https://new.example.org', code: 301 }, ssl: { mode: 'custom', certificateId, hsts: true } });
      await deployOk();

      const keep = await target.request('keep.gatehouse.test', { path: '/a/b?x=1&y=2' });
      expect(keep.status).toBe(308);
      expect(keep.headers.location).toBe('https://new.example.org/base/a/b?x=1&y=2');
      const drop = await target.request('drop.gatehouse.test', { path: '/a/b?x=1' });
      expect(drop.status).toBe(302);
      expect(drop.headers.location).toBe('http://new.example.org/landing?from=old');
      const temp = await target.request('temp.gatehouse.test', { path: '/p', method: 'POST', body: 'x' });
      expect(temp.status).toBe(307);
      expect(temp.headers.location).toBe('https://new.example.org/p');
      // The SSL template: the HTTP side and the HTTPS side both redirect.
      const plain = await target.request('tls-redirect.gatehouse.test', { path: '/q?z=9' });
      expect(plain.status).toBe(301);
      expect(plain.headers.location).toBe('https://new.example.org/q?z=9');
      const secure = await httpRequest('https://tls-redirect.gatehouse.test/q?z=9', { ca: cert, connectTo: { host: '127.0.0.1', port: httpsPort } });
      expect(secure.status).toBe(301);
      expect(secure.headers.location).toBe('https://new.example.org/q?z=9');
      expect(secure.headers['strict-transport-security']).toBe('max-age=63072000');
      // The ACME challenge path stays Gatehouse's own on a redirecting domain.
      fs.mkdirSync(path.join(target.managedDir, 'acme/.well-known/acme-challenge'), { recursive: true });
      fs.writeFileSync(path.join(target.managedDir, 'acme/.well-known/acme-challenge/tok'), 'proof');
      const acme = await target.request('keep.gatehouse.test', { path: '/.well-known/acme-challenge/tok' });
      expect([acme.status, acme.body]).toEqual([200, 'proof']);
    });

    it('routes a location to another pool, or redirects it, with its own body size', async () => {
      const main = await pool('main');
      const api2 = await pool('api');
      await domain('paths.gatehouse.test', {
        upstreamId: main,
        locations: [
          { path: '/api/', upstreamId: api2, clientMaxBodySize: '1k' },
          { path: '/old/', redirect: { url: 'https://paths.example.org/new/', code: 301 } },
        ],
      });
      await deployOk();
      const root = await target.request('paths.gatehouse.test', { path: '/x' });
      expect(JSON.parse(root.body).upstream).toBe('main');
      const sub = await target.request('paths.gatehouse.test', { path: '/api/users?id=3' });
      expect(sub.status).toBe(200);
      expect(JSON.parse(sub.body)).toMatchObject({ upstream: 'api', url: '/api/users?id=3' });
      const big = await target.request('paths.gatehouse.test', { path: '/api/upload', method: 'POST', body: 'x'.repeat(4096) });
      expect(big.status).toBe(413);
      const bigRoot = await target.request('paths.gatehouse.test', { path: '/upload', method: 'POST', body: 'x'.repeat(4096) });
      expect(bigRoot.status).toBe(200);
      const old = await target.request('paths.gatehouse.test', { path: '/old/page?k=v' });
      expect(old.status).toBe(301);
      expect(old.headers.location).toBe('https://paths.example.org/new/old/page?k=v');
    });

    it('enforces access lists: password 200/401, denied address 403, satisfy all and any', async () => {
      const app = await pool('guarded');
      const r = await api('POST', '/api/v1/access-lists', {
        token: s.adminToken,
        body: { name: 'staff', satisfy: 'all', users: [{ username: 'alice', password: 'correct horse' }], rules: [{ action: 'allow', source: '127.0.0.0/8' }, { action: 'deny', source: 'all' }] },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.users).toEqual([{ username: 'alice', hasPassword: true }]);
      expect(JSON.stringify(r.body)).not.toContain('correct horse');
      const staff = r.body.id as string;
      const denyLocal = await post('/api/v1/access-lists', { name: 'no-local', satisfy: 'all', users: [{ username: 'bob', password: 'pw-bob' }], rules: [{ action: 'deny', source: '127.0.0.1' }] });
      const anyList = await post('/api/v1/access-lists', { name: 'office-or-password', satisfy: 'any', users: [{ username: 'carol', password: 'pw-carol' }], rules: [{ action: 'allow', source: '10.0.0.0/8' }, { action: 'deny', source: 'all' }] });
      const anyLocal = await post('/api/v1/access-lists', { name: 'local-or-password', satisfy: 'any', users: [{ username: 'dave', password: 'pw-dave' }], rules: [{ action: 'allow', source: '127.0.0.1' }, { action: 'deny', source: 'all' }] });
      await domain('guarded.gatehouse.test', {
        upstreamId: app,
        accessListId: staff,
        locations: [
          { path: '/blocked/', upstreamId: app, accessListId: denyLocal },
          { path: '/any/', upstreamId: app, accessListId: anyList },
          { path: '/local/', upstreamId: app, accessListId: anyLocal },
          { path: '/inherit/', upstreamId: app },
        ],
      });
      const task = await deployOk();
      expect(task.result?.uploaded).toEqual(expect.arrayContaining([`access/${staff}.htpasswd`]));
      const file = path.join(target.managedDir, `access/${staff}.htpasswd`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o640);
      expect(fs.readFileSync(file, 'utf8')).toMatch(/^alice:\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}\n$/);

      const get = (p: string, headers: Record<string, string> = {}) => target.request('guarded.gatehouse.test', { path: p, headers });
      // satisfy all, 127.0.0.1 allowed: the password decides.
      expect((await get('/')).status).toBe(401);
      expect((await get('/', basic('alice', 'wrong'))).status).toBe(401);
      expect((await get('/', basic('alice', 'correct horse'))).status).toBe(200);
      expect((await get('/inherit/x', basic('alice', 'correct horse'))).status).toBe(200);
      expect((await get('/inherit/x')).status).toBe(401);
      // satisfy all with the address denied: 403 even with the right password.
      expect((await get('/blocked/x', basic('bob', 'pw-bob'))).status).toBe(403);
      // satisfy any: an address outside the allowed range needs the password...
      expect((await get('/any/x')).status).toBe(401);
      expect((await get('/any/x', basic('carol', 'wrong'))).status).toBe(401);
      expect((await get('/any/x', basic('carol', 'pw-carol'))).status).toBe(200);
      // ...and an allowed address gets in without one.
      expect((await get('/local/x')).status).toBe(200);

      // The password never leaves Gatehouse in plain text: not in the API, the file view, the manifest.
      const cfg = await api('GET', `/api/v1/servers/${target.serverId}/config`, { token: s.adminToken });
      const { db, t } = getDb();
      const everything = JSON.stringify(cfg.body) + JSON.stringify(await db.select().from(t.deployedFiles)) + JSON.stringify(await db.select().from(t.accessLists));
      for (const pw of ['correct horse', 'pw-bob', 'pw-carol', 'pw-dave']) expect(everything).not.toContain(pw);
      expect(JSON.stringify(cfg.body)).not.toContain('alice:$6$');

      // In use: 409; a password change re-deploys the file and the old password stops working.
      const del = await api('DELETE', `/api/v1/access-lists/${staff}`, { token: s.adminToken });
      expect([del.status, del.body.error.code]).toEqual([409, 'access_list_in_use']);
      const patch = await api('PATCH', `/api/v1/access-lists/${staff}`, { token: s.adminToken, body: { users: [{ username: 'alice', password: 'battery staple' }, { username: 'erin', password: 'pw-erin' }] } });
      expect(patch.status, JSON.stringify(patch.body)).toBe(200);
      const dom = await api('GET', '/api/v1/domains?limit=100', { token: s.adminToken });
      expect(dom.body.items.find((d: { fqdn: string }) => d.fqdn === 'guarded.gatehouse.test').status).toBe('pending');
      await deployOk();
      expect((await get('/', basic('alice', 'correct horse'))).status).toBe(401);
      expect((await get('/', basic('alice', 'battery staple'))).status).toBe(200);
      expect((await get('/', basic('erin', 'pw-erin'))).status).toBe(200);
      // Keeping a user without re-sending the password keeps its hash.
      const keep = await api('PATCH', `/api/v1/access-lists/${staff}`, { token: s.adminToken, body: { users: [{ username: 'alice' }] } });
      expect(keep.status, JSON.stringify(keep.body)).toBe(200);
      await deployOk();
      expect((await get('/', basic('alice', 'battery staple'))).status).toBe(200);
      expect((await get('/', basic('erin', 'pw-erin'))).status).toBe(401);
    });
  });
});
