/**
 * Issue 18 through lib and the real route handlers, on both dialects: the audit log names its
 * targets (current name, the noted one once deleted) and filters by action, type and user;
 * Templates counts default uses of the built-ins; "Proxy a site" reports every mistake at once
 * and writes nothing, then creates the pool and the domain with the ordinary commands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair } from '../support/sshd';
import { getDb } from '@/lib/db';
import { cliActor } from '@/lib/access/actor';
import { seedBuiltinTemplates } from '@/lib/proxy/templates-service';
import { proxySite } from '@/lib/certs/proxy-site';
import { ValidationError } from '@/lib/errors';

describe.each(dialects)('console paths (lib) on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let serverId: string;

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    await seedBuiltinTemplates();
    const { privateKey } = await generateKeyPair();
    const r = await api('POST', '/api/v1/servers', { token: s.adminToken, body: { name: 'web-1', host: '127.0.0.1', sshPort: 2222, sshUser: 'root', authMethod: 'key', privateKey, monitoringEnabled: false } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    serverId = r.body.id;
  });
  afterAll(async () => tdb?.close());

  it('names audit targets and filters by action, type and user', async () => {
    const up = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: 'gone-pool', targets: [{ host: '127.0.0.1', port: 9001 }] } });
    expect(up.status).toBe(201);
    expect((await api('DELETE', `/api/v1/upstreams/${up.body.id}`, { token: s.adminToken })).status).toBe(204);
    await api('PATCH', `/api/v1/servers/${serverId}`, { token: s.adminToken, body: { name: 'web-2' } });

    const all = await api('GET', '/api/v1/audit?limit=100', { token: s.adminToken });
    expect(all.status).toBe(200);
    const created = all.body.items.find((e: { action: string }) => e.action === 'server.create');
    // The current name, not the one at creation, and not the id.
    expect(created.target).toEqual({ type: 'server', id: serverId, label: 'web-2' });
    const deleted = all.body.items.find((e: { action: string }) => e.action === 'upstream.delete');
    expect(deleted.target.label).toBe('gone-pool');

    const byAction = await api('GET', '/api/v1/audit?action=server.create', { token: s.adminToken });
    expect(byAction.body.items.map((e: { action: string }) => e.action)).toEqual(['server.create']);
    const byType = await api('GET', '/api/v1/audit?type=upstream', { token: s.adminToken });
    expect(byType.body.items.length).toBe(2);
    expect(byType.body.items.every((e: { target: { type: string } }) => e.target.type === 'upstream')).toBe(true);
    const byUser = await api('GET', `/api/v1/audit?user=${s.user.id}`, { token: s.adminToken });
    expect(byUser.body.items).toEqual([]);
    expect((await api('GET', '/api/v1/audit', { token: s.userToken })).status).toBe(403);
  });

  it('"Proxy a site" reports every mistake at once and writes nothing', async () => {
    const before = (await getDb().db.select().from(getDb().t.upstreams)).length;
    const err = await proxySite(cliActor, { fqdn: 'bad domain!', serverId, pool: 'new', targets: '127.0.0.1\nok.example:70000', certificate: 'existing' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const fields = (err as ValidationError).fields!;
    expect(Object.keys(fields).sort()).toEqual(['certificateId', 'fqdn', 'targets']);
    expect(fields.targets.join(' ')).toMatch(/Line 1 \(127\.0\.0\.1\): add the port/);
    expect(fields.targets.join(' ')).toMatch(/Line 2 \(ok\.example:70000\)/);
    expect((await getDb().db.select().from(getDb().t.upstreams)).length).toBe(before);
  });

  it('"Proxy a site" creates the pool and the domain, and starts the deploy; builtin-http counts it', async () => {
    const r = await proxySite(cliActor, { fqdn: 'site.example.test', serverId, pool: 'new', targets: '127.0.0.1:8080\n[::1]:8081', certificate: 'none' });
    expect(r.taskId).toBeTruthy();
    const pool = await api('GET', `/api/v1/upstreams/${r.upstreamId}`, { token: s.adminToken });
    expect(pool.body).toMatchObject({ name: 'site-example-test', targets: [{ host: '127.0.0.1', port: 8080 }, { host: '::1', port: 8081 }] });
    const dom = await api('GET', `/api/v1/domains/${r.domainId}`, { token: s.adminToken });
    expect(dom.body).toMatchObject({ fqdn: 'site.example.test', serverId, upstreamId: r.upstreamId, templateId: null, ssl: { mode: 'none' } });
    const task = await api('GET', `/api/v1/tasks/${r.taskId}`, { token: s.adminToken });
    expect(task.body).toMatchObject({ kind: 'proxy.deploy', domainId: r.domainId });
    // The same pool name again is reported beside the pool name, before anything is written.
    const again = await proxySite(cliActor, { fqdn: 'other.example.test', serverId, pool: 'new', targets: '127.0.0.1:8080', poolName: 'site-example-test' }).catch((e) => e);
    expect((again as ValidationError).fields).toHaveProperty('poolName');

    const templates = await api('GET', '/api/v1/templates', { token: s.adminToken });
    const http = templates.body.items.find((t: { id: string }) => t.id === 'builtin-http');
    const ssl = templates.body.items.find((t: { id: string }) => t.id === 'builtin-ssl');
    expect(http.domainCount).toBe(1);
    expect(ssl.domainCount).toBe(0);
  });
});
