/**
 * Issue 4 through the real route handlers, on both dialects: upstreams, domains and templates
 * (CRUD, conflicts, roles), the built-in templates, template preview, the config views.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair } from '../support/sshd';
import { getDb } from '@/lib/db';
import { seedBuiltinTemplates } from '@/lib/proxy/templates-service';

type Seed = Awaited<ReturnType<typeof seedUsers>>;

const target = (host: string, port: number, extra = {}) => ({ host, port, ...extra });

describe.each(dialects)('proxy API on %s', (dialect) => {
  let tdb: TestDb;
  let s: Seed;
  let shared: string;
  let hidden: string;
  let privateKey: string;

  const server = async (name: string, sharedWith: string[] = []) => {
    const r = await api('POST', '/api/v1/servers', {
      token: s.adminToken,
      body: { name, host: '127.0.0.1', sshPort: 2222, sshUser: 'root', authMethod: 'key', privateKey, monitoringEnabled: false, sharedWith },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const upstream = async (name: string, body: Record<string, unknown> = {}) => {
    const r = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name, targets: [target('127.0.0.1', 9001)], ...body } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const domain = async (fqdn: string, serverId: string, upstreamId: string, body: Record<string, unknown> = {}) => {
    const r = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, serverId, upstreamId, ...body } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    privateKey = (await generateKeyPair()).privateKey;
    await seedBuiltinTemplates();
    await seedBuiltinTemplates(); // idempotent
    shared = await server('proxy-shared', [s.user.id]);
    hidden = await server('proxy-hidden');
  });
  afterAll(async () => tdb?.close());

  it('seeds the built-in templates once, read-only', async () => {
    const list = await api('GET', '/api/v1/templates', { token: s.adminToken });
    expect(list.status).toBe(200);
    const builtins = list.body.items.filter((t: { builtin: boolean }) => t.builtin);
    expect(builtins.map((t: { id: string; kind: string }) => `${t.id}:${t.kind}`).sort()).toEqual(['builtin-http:http', 'builtin-ssl:ssl']);
    expect((await api('PATCH', '/api/v1/templates/builtin-http', { token: s.adminToken, body: { name: 'mine' } })).status).toBe(409);
    const del = await api('DELETE', '/api/v1/templates/builtin-ssl', { token: s.adminToken });
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('template_builtin');
  });

  it('answers 401 signed out and 403 to users for every write', async () => {
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/upstreams', { name: 'x', targets: [target('127.0.0.1', 1)] }],
      ['PATCH', '/api/v1/upstreams/some-id', { name: 'x' }],
      ['DELETE', '/api/v1/upstreams/some-id', undefined],
      ['POST', '/api/v1/domains', {}],
      ['PATCH', '/api/v1/domains/some-id', {}],
      ['DELETE', '/api/v1/domains/some-id', undefined],
      ['POST', '/api/v1/domains/some-id/deploy', undefined],
      ['POST', `/api/v1/servers/${shared}/deploy`, undefined],
      ['GET', '/api/v1/templates', undefined],
      ['POST', '/api/v1/templates', {}],
      ['POST', '/api/v1/templates/preview', {}],
      ['PATCH', '/api/v1/templates/builtin-http', {}],
      ['DELETE', '/api/v1/templates/builtin-http', undefined],
    ];
    for (const [method, path, body] of writes) {
      expect((await api(method, path, { body })).status, `${method} ${path} signed out`).toBe(401);
      expect((await api(method, path, { token: s.userToken, body })).status, `${method} ${path} as user`).toBe(403);
    }
    for (const path of ['/api/v1/upstreams', '/api/v1/domains', `/api/v1/servers/${shared}/config`, `/api/v1/servers/${shared}/drift`]) {
      expect((await api('GET', path)).status, path).toBe(401);
    }
  });

  it('creates, reads, changes and deletes an upstream with every target kept', async () => {
    const up = await upstream('pool-a', {
      method: 'least_conn',
      keepalive: 16,
      targets: [target('127.0.0.1', 9001, { weight: 3 }), target('127.0.0.2', 9002, { maxFails: 3, failTimeoutSeconds: 30 }), target('127.0.0.3', 9003, { backup: true })],
    });
    expect(up).toMatchObject({ name: 'pool-a', method: 'least_conn', keepalive: 16, domainCount: 0 });
    expect(up.targets.map((t: { host: string; port: number; weight: number; backup: boolean }) => [t.host, t.port, t.weight, t.backup])).toEqual([
      ['127.0.0.1', 9001, 3, false],
      ['127.0.0.2', 9002, 1, false],
      ['127.0.0.3', 9003, 1, true],
    ]);
    // Each target has its id (health events name it) and its last probe, not checked yet.
    expect(up.targets[0]).toMatchObject({ id: expect.any(String), health: { status: 'unknown', checkedAt: null, error: null } });
    expect((await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: 'pool-a', targets: [target('10.0.0.1', 1)] } })).body.error.code).toBe('upstream_exists');
    // ip_hash cannot have a backup target: the merged record is checked, not only the patch.
    const bad = await api('PATCH', `/api/v1/upstreams/${up.id}`, { token: s.adminToken, body: { method: 'ip_hash' } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toContain('targets.2.backup');
    const patched = await api('PATCH', `/api/v1/upstreams/${up.id}`, { token: s.adminToken, body: { targets: [target('backend.internal', 8080)], keepalive: null } });
    expect(patched.status).toBe(200);
    expect(patched.body.keepalive).toBeNull();
    expect(patched.body.targets).toHaveLength(1);
    expect((await api('GET', `/api/v1/upstreams/${up.id}`, { token: s.adminToken })).body.targets[0].host).toBe('backend.internal');
    expect((await api('DELETE', `/api/v1/upstreams/${up.id}`, { token: s.adminToken })).status).toBe(204);
    expect((await api('GET', `/api/v1/upstreams/${up.id}`, { token: s.adminToken })).status).toBe(404);
  });

  it('refuses to delete an upstream in use (409 upstream_in_use, naming the domain)', async () => {
    const up = await upstream('pool-used');
    await domain('used.example.com', shared, up.id);
    const r = await api('DELETE', `/api/v1/upstreams/${up.id}`, { token: s.adminToken });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('upstream_in_use');
    expect(r.body.error.message).toContain('used.example.com');
  });

  it('creates domains as pending, refuses duplicates, and publishes domain.updated', async () => {
    const up = await upstream('pool-d');
    const d = await domain('App.Example.com', shared, up.id, { aliases: ['www.example.com'], websocket: true, clientMaxBodySize: '10m' });
    expect(d).toMatchObject({ fqdn: 'app.example.com', status: 'pending', websocket: true, clientMaxBodySize: '10m', deployedAt: null, templateId: null });
    const dup = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn: 'app.example.com', serverId: hidden, upstreamId: up.id } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('domain_exists');
    const aliasClash = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn: 'www.example.com', serverId: shared, upstreamId: up.id } });
    expect(aliasClash.body.error.code).toBe('domain_exists');
    const missing = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn: 'x.example.com', serverId: 'nope', upstreamId: up.id } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields.serverId).toBeTruthy();
    const { db, t } = getDb();
    const events = await db.select().from(t.events).where(and(eq(t.events.type, 'domain.updated'), eq(t.events.serverId, shared)));
    expect(events.some((e) => e.data.domainId === d.id && e.data.status === 'pending')).toBe(true);
  });

  it('checks SSL rules and template kinds on the merged record', async () => {
    const up = await upstream('pool-s');
    const d = await domain('tls.example.com', shared, up.id);
    const hsts = await api('PATCH', `/api/v1/domains/${d.id}`, { token: s.adminToken, body: { ssl: { hsts: true } } });
    expect(hsts.status).toBe(422);
    expect(hsts.body.error.fields['ssl.hsts']).toBeTruthy();
    const kind = await api('PATCH', `/api/v1/domains/${d.id}`, { token: s.adminToken, body: { templateId: 'builtin-ssl' } });
    expect(kind.status).toBe(422);
    expect(kind.body.error.fields.templateId).toBeTruthy();
    const acme = await api('PATCH', `/api/v1/domains/${d.id}`, { token: s.adminToken, body: { ssl: { mode: 'acme', forceHttps: true }, templateId: 'builtin-ssl' } });
    expect(acme.status, JSON.stringify(acme.body)).toBe(200);
    expect(acme.body.ssl).toEqual({ mode: 'acme', certificateId: null, forceHttps: true, hsts: false, http2: true });
  });

  it('lets users read only the domains and upstreams of servers shared with them', async () => {
    const up = await upstream('pool-vis');
    const mine = await domain('mine.example.com', shared, up.id);
    const theirs = await domain('theirs.example.com', hidden, up.id);
    const list = await api('GET', '/api/v1/domains?limit=500', { token: s.userToken });
    const ids = list.body.items.map((d: { id: string }) => d.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect((await api('GET', `/api/v1/domains/${theirs.id}`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/domains/${theirs.id}/config`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/servers/${hidden}/config`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/domains/${mine.id}`, { token: s.userToken })).status).toBe(200);
    expect((await api('GET', `/api/v1/upstreams/${up.id}`, { token: s.userToken })).status).toBe(200);
    const lonely = await upstream('pool-lonely');
    expect((await api('GET', `/api/v1/upstreams/${lonely.id}`, { token: s.userToken })).status).toBe(404);
  });

  it('renders every target into the server config, and a domain config with its diff', async () => {
    const srv = await server('proxy-render');
    const up = await upstream('pool-r', { targets: [target('127.0.0.1', 9101), target('127.0.0.2', 9102, { weight: 5 }), target('127.0.0.3', 9103, { backup: true })] });
    const d = await domain('render.example.com', srv, up.id, { customDirectives: 'proxy_read_timeout 90s;' });
    const cfg = await api('GET', `/api/v1/servers/${srv}/config`, { token: s.adminToken });
    expect(cfg.status, JSON.stringify(cfg.body)).toBe(200);
    expect(cfg.body.files.map((f: { name: string }) => f.name)).toEqual(['domains/render.example.com.conf', 'upstreams.conf']);
    expect(cfg.body.files.map((f: { path: string }) => f.path)).toEqual([`${cfg.body.managedDir}/domains/render.example.com.conf`, `${cfg.body.managedDir}/upstreams.conf`]);
    const ups = cfg.body.files.find((f: { name: string }) => f.name === 'upstreams.conf').content;
    expect(ups).toContain('server 127.0.0.1:9101 weight=1');
    expect(ups).toContain('server 127.0.0.2:9102 weight=5');
    expect(ups).toMatch(/server 127\.0\.0\.3:9103 .* backup;/);
    expect(cfg.body.changes.map((c: { status: string }) => c.status)).toEqual(['added', 'added']);
    const dc = await api('GET', `/api/v1/domains/${d.id}/config`, { token: s.adminToken });
    expect(dc.body.files[0].content).toContain('proxy_read_timeout 90s;');
    expect(dc.body.deployed).toEqual([]);
  });

  it('keeps admins\' templates valid: syntax and ACME errors with their line; in-use templates stay', async () => {
    const broken = await api('POST', '/api/v1/templates', { token: s.adminToken, body: { name: 'broken', kind: 'http', body: 'server {\n  listen 80;\n  {% if %}\n}' } });
    expect(broken.status).toBe(422);
    expect(broken.body.error.fields.body[0]).toMatch(/Line 3/);
    const noAcme = await api('POST', '/api/v1/templates', { token: s.adminToken, body: { name: 'no-acme', kind: 'http', body: 'server { listen {{ listen.http }}; server_name {{ domain.serverNames }}; }\n' } });
    expect(noAcme.status).toBe(422);
    expect(noAcme.body.error.message).toMatch(/ACME/);
    const list = await api('GET', '/api/v1/templates', { token: s.adminToken });
    const builtin = list.body.items.find((t: { id: string }) => t.id === 'builtin-http');
    const mine = await api('POST', '/api/v1/templates', { token: s.adminToken, body: { name: 'mine', kind: 'http', body: builtin.body.replace('client_max_body_size', '# mine\n    client_max_body_size') } });
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.body.builtin).toBe(false);
    expect((await api('POST', '/api/v1/templates', { token: s.adminToken, body: { name: 'mine', kind: 'http', body: builtin.body } })).body.error.code).toBe('template_exists');
    const up = await upstream('pool-t');
    const d = await domain('templated.example.com', shared, up.id, { templateId: mine.body.id });
    const renamed = await api('PATCH', `/api/v1/templates/${mine.body.id}`, { token: s.adminToken, body: { name: 'mine-2' } });
    expect(renamed.status).toBe(200);
    const inUse = await api('DELETE', `/api/v1/templates/${mine.body.id}`, { token: s.adminToken });
    expect(inUse.body.error.code).toBe('template_in_use');
    // Preview against the real domain: text, or 422 with the template line.
    const ok = await api('POST', '/api/v1/templates/preview', { token: s.adminToken, body: { body: builtin.body, domainId: d.id } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(ok.text).toContain('server_name templated.example.com;');
    const bad = await api('POST', '/api/v1/templates/preview', { token: s.adminToken, body: { body: 'a\nb\n{{ domain.nope }}\n', domainId: d.id } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.line).toBe(3);
    expect(bad.body.error.fields.body[0]).toMatch(/nope/);
  });

  it('deletes a domain and answers 404 afterwards', async () => {
    const up = await upstream('pool-del');
    const d = await domain('gone.example.com', shared, up.id);
    expect((await api('DELETE', `/api/v1/domains/${d.id}`, { token: s.adminToken })).status).toBe(204);
    expect((await api('GET', `/api/v1/domains/${d.id}`, { token: s.adminToken })).status).toBe(404);
    expect((await api('DELETE', `/api/v1/upstreams/${up.id}`, { token: s.adminToken })).status).toBe(204);
  });

  it('answers deploys with 202 and a queued task', async () => {
    const up = await upstream('pool-dep');
    const d = await domain('deploy.example.com', shared, up.id);
    const r = await api('POST', `/api/v1/domains/${d.id}/deploy`, { token: s.adminToken });
    expect(r.status).toBe(202);
    const task = await api('GET', `/api/v1/tasks/${r.body.taskId}`, { token: s.adminToken });
    expect(task.body).toMatchObject({ kind: 'proxy.deploy', status: 'queued', serverId: shared, domainId: d.id });
    const srv = await api('POST', `/api/v1/servers/${shared}/deploy`, { token: s.adminToken });
    expect(srv.status).toBe(202);
    expect((await api('POST', '/api/v1/servers/nope/deploy', { token: s.adminToken })).status).toBe(404);
  });
});
