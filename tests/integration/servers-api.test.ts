import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair, type KeyPair } from '../support/sshd';
import { getDb } from '@/lib/db';
import { open } from '@/lib/crypto/secret-box';

const PASSWORD = 'ssh-pa55word-that-must-never-leak';
const GLANCES_PW = 'glances-pa55-never-leak';

describe.each(dialects)('servers API on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let key: KeyPair;
  let encrypted: KeyPair;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    key = await generateKeyPair();
    encrypted = await generateKeyPair({ passphrase: 'key-passphrase-1' });
  });
  afterAll(async () => tdb?.close());

  const post = (body: unknown, token = s.adminToken) => api('POST', '/api/v1/servers', { token, body });
  const base = (name: string) => ({ name, host: '10.0.0.5', authMethod: 'password', password: PASSWORD });

  it('every route: 401 signed out, 403 for a user on admin actions', async () => {
    const created = await post(base('roles-1'));
    const id = created.body.id;
    const routes: [string, string][] = [
      ['GET', '/api/v1/servers'], ['POST', '/api/v1/servers'], ['GET', `/api/v1/servers/${id}`], ['PATCH', `/api/v1/servers/${id}`],
      ['DELETE', `/api/v1/servers/${id}`], ['POST', `/api/v1/servers/${id}/test`], ['POST', `/api/v1/servers/${id}/install-nginx`],
      ['POST', `/api/v1/servers/${id}/install-glances`], ['POST', `/api/v1/servers/${id}/trust-host-key`],
    ];
    const body = (method: string) => (method === 'GET' ? undefined : {});
    for (const [method, path] of routes) expect((await api(method, path, { body: body(method) })).status, `${method} ${path}`).toBe(401);
    for (const [method, path] of routes.filter(([m]) => m !== 'GET')) {
      expect((await api(method, path, { token: s.userToken, body: {} })).status, `${method} ${path}`).toBe(403);
    }
  });

  it('creates a password server; secrets are sealed and never returned', async () => {
    const r = await post({ ...base('web-1'), sshPort: 2222, sshUser: 'deploy', glances: { url: 'http://10.0.0.5:61208/', username: 'mon', password: GLANCES_PW } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'web-1', host: '10.0.0.5', sshPort: 2222, sshUser: 'deploy', authMethod: 'password', hasPassword: true, hasPrivateKey: false,
      hostKeyFingerprint: null, glances: { url: 'http://10.0.0.5:61208', username: 'mon', hasPassword: true }, monitoringEnabled: true,
      status: 'unknown', nginx: { status: 'unknown', version: null }, nginxLayout: null, sharedWith: [],
    });
    expect(r.text).not.toContain(PASSWORD);
    expect(r.text).not.toContain(GLANCES_PW);
    const { db, t } = getDb();
    const [row] = await db.select().from(t.servers).where(eq(t.servers.id, r.body.id));
    expect(row.passwordEnc).not.toContain(PASSWORD);
    expect(open(row.passwordEnc!)).toBe(PASSWORD);
    expect(open(row.glancesPasswordEnc!)).toBe(GLANCES_PW);
    const list = await api('GET', '/api/v1/servers', { token: s.adminToken });
    const get = await api('GET', `/api/v1/servers/${r.body.id}`, { token: s.adminToken });
    const audit = await api('GET', '/api/v1/audit', { token: s.adminToken });
    for (const text of [list.text, get.text, audit.text]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(GLANCES_PW);
    }
    if (tdb.file) {
      const raw = fs.readFileSync(tdb.file).toString('latin1') + (fs.existsSync(`${tdb.file}-wal`) ? fs.readFileSync(`${tdb.file}-wal`).toString('latin1') : '');
      expect(raw).not.toContain(PASSWORD);
    }
  });

  it('creates key servers: the key is checked (format, public key, passphrase) before it is stored', async () => {
    const ok = await post({ name: 'key-1', host: 'web.example.com', authMethod: 'key', privateKey: key.privateKey });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ authMethod: 'key', hasPrivateKey: true, hasPassphrase: false, sshUser: 'root', sshPort: 22 });
    expect(ok.text).not.toContain('PRIVATE KEY');
    const withPass = await post({ name: 'key-2', host: '10.0.0.6', authMethod: 'key', privateKey: encrypted.privateKey, passphrase: 'key-passphrase-1' });
    expect(withPass.status).toBe(201);
    expect(withPass.body.hasPassphrase).toBe(true);

    const cases: [unknown, string][] = [
      [{ name: 'k3', host: '10.0.0.7', authMethod: 'key', privateKey: 'not a key' }, 'privateKey'],
      [{ name: 'k3', host: '10.0.0.7', authMethod: 'key', privateKey: key.publicKey }, 'privateKey'],
      [{ name: 'k3', host: '10.0.0.7', authMethod: 'key', privateKey: encrypted.privateKey }, 'passphrase'],
      [{ name: 'k3', host: '10.0.0.7', authMethod: 'key', privateKey: encrypted.privateKey, passphrase: 'wrong' }, 'passphrase'],
      [{ name: 'k3', host: '10.0.0.7', authMethod: 'key' }, 'privateKey'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status).toBe(422);
      expect(Object.keys(r.body.error.fields)).toContain(field);
    }
  });

  it('bad input is a 422 naming the field, never a 5xx', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ host: 'exa mple.com' }, 'host'],
      [{ host: '10.0.0.5:22' }, 'host'],
      [{ host: '' }, 'host'],
      [{ host: '999.1.1.1' }, 'host'],
      [{ name: '' }, 'name'],
      [{ sshPort: 70000 }, 'sshPort'],
      [{ sshPort: '22' }, 'sshPort'],
      [{ sshUser: 'root; rm -rf /' }, 'sshUser'],
      [{ authMethod: 'telepathy' }, 'authMethod'],
      [{ password: undefined }, 'password'],
      [{ glances: { url: 'ftp://10.0.0.5' } }, 'glances.url'],
      [{ glances: { url: 'http://u:p@10.0.0.5:61208' } }, 'glances.url'],
      [{ glances: { url: 'http://10.0.0.5:61208/?x=1' } }, 'glances.url'],
      [{ glances: { url: 'not a url' } }, 'glances.url'],
      [{ hostKeyFingerprint: 'MD5:aa:bb' }, 'hostKeyFingerprint'],
      [{ nginxLayout: { managedDir: 'relative', mainConfig: '/etc/nginx/nginx.conf', command: 'nginx' } }, 'nginxLayout.managedDir'],
      [{ nginxLayout: { managedDir: '/etc/nginx/gh', mainConfig: '/etc/nginx/nginx.conf', command: 'nginx; reboot' } }, 'nginxLayout.command'],
      [{ nginxLayout: { managedDir: '/etc/nginx/gh', mainConfig: '/etc/nginx/../x', command: 'nginx' } }, 'nginxLayout.mainConfig'],
      [{ sharedWith: ['no-such-user'] }, 'sharedWith'],
      [{ surprise: true }, 'surprise'],
    ];
    for (const [over, field] of cases) {
      const r = await post({ ...base(`bad-${field}`), ...over });
      expect(r.status, JSON.stringify(over)).toBe(422);
      expect(r.body.error.code).toBe('validation_failed');
      expect(Object.keys(r.body.error.fields), JSON.stringify(over)).toContain(field);
    }
    const badJson = await api('POST', '/api/v1/servers', { token: s.adminToken, rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
  });

  it('names are unique (409 server_exists); IPv6 and punycode hosts are normalised', async () => {
    expect((await post(base('unique-1'))).status).toBe(201);
    const dup = await post(base('unique-1'));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('server_exists');
    const v6 = await post({ ...base('v6'), host: '[2001:DB8::1]' });
    expect(v6.body.host).toBe('2001:db8::1');
    const idn = await post({ ...base('idn'), host: 'bücher.example' });
    expect(idn.body.host).toBe('xn--bcher-kva.example');
  });

  it('an admin shares a server; the user sees it read-only and nothing else', async () => {
    const shared = (await post(base('shared-1'))).body;
    const hidden = (await post(base('hidden-1'))).body;
    const r = await api('PATCH', `/api/v1/servers/${shared.id}`, { token: s.adminToken, body: { sharedWith: [s.user.id] } });
    expect(r.status).toBe(200);
    expect(r.body.sharedWith).toEqual([s.user.id]);

    const list = await api('GET', '/api/v1/servers', { token: s.userToken });
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([shared.id]);
    expect(list.body.items[0].sharedWith).toEqual([s.user.id]);
    expect(list.text).not.toContain(PASSWORD);
    expect((await api('GET', `/api/v1/servers/${shared.id}`, { token: s.userToken })).status).toBe(200);
    const notShared = await api('GET', `/api/v1/servers/${hidden.id}`, { token: s.userToken });
    expect(notShared.status).toBe(404);
    expect((await api('GET', '/api/v1/servers/no-such-id', { token: s.userToken })).status).toBe(404);
    expect((await api('PATCH', `/api/v1/servers/${shared.id}`, { token: s.userToken, body: { name: 'mine' } })).status).toBe(403);

    await api('PATCH', `/api/v1/servers/${shared.id}`, { token: s.adminToken, body: { sharedWith: [] } });
    expect((await api('GET', `/api/v1/servers/${shared.id}`, { token: s.userToken })).status).toBe(404);
    const audit = await api('GET', '/api/v1/audit?limit=5', { token: s.adminToken });
    expect(audit.body.items.some((a: { action: string; details: { sharedWith?: string[] } }) => a.action === 'server.update' && a.details.sharedWith)).toBe(true);
  });

  it('patches fields and secrets; a left-out secret stays, switching method needs the new secret', async () => {
    const srv = (await post(base('patch-1'))).body;
    const path = `/api/v1/servers/${srv.id}`;
    const renamed = await api('PATCH', path, { token: s.adminToken, body: { name: 'patch-1b', sshPort: 2200, monitoringEnabled: false, glances: { url: '' } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'patch-1b', sshPort: 2200, monitoringEnabled: false, hasPassword: true, glances: { url: null } });

    const switchNoKey = await api('PATCH', path, { token: s.adminToken, body: { authMethod: 'key' } });
    expect(switchNoKey.status).toBe(422);
    expect(switchNoKey.body.error.fields.privateKey).toBeDefined();
    const switched = await api('PATCH', path, { token: s.adminToken, body: { authMethod: 'key', privateKey: key.privateKey } });
    expect(switched.body).toMatchObject({ authMethod: 'key', hasPassword: false, hasPrivateKey: true });
    const { db, t } = getDb();
    const [row] = await db.select().from(t.servers).where(eq(t.servers.id, srv.id));
    expect(row.passwordEnc).toBeNull();

    const layout = { managedDir: '/srv/nginx/gatehouse', mainConfig: '/srv/nginx/conf/nginx.conf', command: '/srv/nginx/sbin/nginx -p /srv/nginx/', pidFile: '/srv/nginx/nginx.pid', httpPort: 8080 };
    const withLayout = await api('PATCH', path, { token: s.adminToken, body: { nginxLayout: layout } });
    expect(withLayout.body.nginxLayout).toEqual({ ...layout, httpsPort: 443, logDir: null });
    const cleared = await api('PATCH', path, { token: s.adminToken, body: { nginxLayout: null } });
    expect(cleared.body.nginxLayout).toBeNull();
    expect((await api('PATCH', '/api/v1/servers/nope', { token: s.adminToken, body: { name: 'x' } })).status).toBe(404);
    const dup = await api('PATCH', path, { token: s.adminToken, body: { name: 'web-1' } });
    expect(dup.status).toBe(409);
  });

  it('paginates with limit and cursor', async () => {
    const first = await api('GET', '/api/v1/servers?limit=2', { token: s.adminToken });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBe(first.body.items[1].id);
    const next = await api('GET', `/api/v1/servers?limit=2&cursor=${first.body.nextCursor}`, { token: s.adminToken });
    expect(next.body.items[0].id > first.body.items[1].id).toBe(true);
    expect((await api('GET', '/api/v1/servers?limit=0', { token: s.adminToken })).status).toBe(422);
  });

  it('the OpenAPI document lists the server routes', async () => {
    const doc = await api('GET', '/api/v1/openapi.json', { token: s.adminToken });
    for (const p of ['/servers', '/servers/{id}', '/servers/{id}/test', '/servers/{id}/install-nginx', '/servers/{id}/install-glances', '/servers/{id}/trust-host-key']) {
      expect(doc.body.paths[p], p).toBeDefined();
    }
  });
});
