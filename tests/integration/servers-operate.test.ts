/**
 * Issue 19 (a): sharing a server with a level. `shares: [{userId, level}]` on PATCH /servers
 * replaces the list (audited as `server.shares`); `sharedWith` still means `view`. An operator
 * (level `operate`) may, on that server only, run every route CONTRACT.md "Identity" lists, and
 * nothing else: every allowed and every forbidden route is called here through the real route
 * handlers, on both dialects, against a real Knot DNS for check-dns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/users/service';
import { createToken } from '@/lib/tokens/service';
import { cliActor } from '@/lib/access/actor';
import { seedBuiltinTemplates } from '@/lib/proxy/templates-service';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair } from '../support/sshd';
import { startDns, type DnsServer } from '../support/dns';
import { requireBinary } from '../support/process';

const future = () => new Date(Date.now() + 3_600_000).toISOString();

describe.skipIf(!requireBinary('knotd', 'knotc')).each(dialects)('operate-level shares on %s', (dialect) => {
  let tdb: TestDb;
  let dns: DnsServer;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let op: { id: string; token: string };
  let viewer: { id: string; token: string };
  let privateKey: string;
  /** A: op operates it, viewer views it; B: op only views it; C: shared with nobody. */
  let A: string;
  let B: string;
  let C: string;
  let upA: string;
  let upHidden: string;
  let domA: string;
  let domB: string;
  let n = 0;

  const as = (token: string) => ({
    get: (path: string) => api('GET', `/api/v1${path}`, { token }),
    post: (path: string, body?: unknown) => api('POST', `/api/v1${path}`, { token, body }),
    patch: (path: string, body: unknown) => api('PATCH', `/api/v1${path}`, { token, body }),
    del: (path: string) => api('DELETE', `/api/v1${path}`, { token }),
  });
  const user = async (role: 'user' | 'admin' = 'user') => {
    const u = await createUser(cliActor, { email: `op${++n}-${dialect}@example.test`, password: 'user-password-1', role, name: '' });
    return { id: u.id, token: (await createToken(cliActor, { name: 'test' }, u.id)).token };
  };
  const server = async (name: string) => {
    const r = await as(s.adminToken).post('/servers', { name, host: '10.0.0.7', sshPort: 2222, authMethod: 'key', privateKey, monitoringEnabled: false });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const created = async (r: { status: number; body: { id: string } }, status = 201) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body.id;
  };

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    dns = await startDns({ zones: [{ name: 'op.test', ns: ['ns1.op.test'] }] });
    tdb = await openTestDb(dialect, { DNS_SERVERS: dns.server });
    s = await seedUsers();
    await seedBuiltinTemplates();
    op = await user();
    viewer = await user();
    privateKey = (await generateKeyPair()).privateKey;
    A = await server(`op-a-${dialect}`);
    B = await server(`op-b-${dialect}`);
    C = await server(`op-c-${dialect}`);
    const admin = as(s.adminToken);
    upA = await created(await admin.post('/upstreams', { name: `up-a-${dialect}`, targets: [{ host: '127.0.0.1', port: 9001 }] }));
    upHidden = await created(await admin.post('/upstreams', { name: `up-hidden-${dialect}`, targets: [{ host: '127.0.0.1', port: 9002 }] }));
    domA = await created(await admin.post('/domains', { fqdn: 'www.op.test', serverId: A, upstreamId: upA, nameservers: { expected: ['ns1.op.test'] } }));
    domB = await created(await admin.post('/domains', { fqdn: 'b.op.test', serverId: B, upstreamId: upA }));
    await admin.post('/domains', { fqdn: 'c.op.test', serverId: C, upstreamId: upHidden });
  });
  afterAll(async () => {
    await tdb?.close();
    await dns?.stop();
  });

  it('PATCH shares replaces the list with levels; answers shares and sharedWith; audited as server.shares', async () => {
    const admin = as(s.adminToken);
    const r = await admin.patch(`/servers/${A}`, { shares: [{ userId: op.id, level: 'operate' }, { userId: viewer.id, level: 'view' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const expected = [{ userId: op.id, level: 'operate' }, { userId: viewer.id, level: 'view' }].sort((a, b) => (a.userId < b.userId ? -1 : 1));
    expect(r.body.shares).toEqual(expected);
    expect(r.body.sharedWith).toEqual(expected.map((x) => x.userId));
    // sharedWith keeps working and means view.
    const b = await admin.patch(`/servers/${B}`, { sharedWith: [op.id] });
    expect(b.body.shares).toEqual([{ userId: op.id, level: 'view' }]);
    const audit = await admin.get('/audit?limit=20');
    const shares = audit.body.items.filter((a: { action: string; target: { id: string } }) => a.action === 'server.shares');
    expect(shares.find((a: { target: { id: string } }) => a.target.id === A)?.details).toEqual({ shares: expected });
    expect(shares.find((a: { target: { id: string } }) => a.target.id === B)?.details).toEqual({ shares: [{ userId: op.id, level: 'view' }] });
    // The same list again is no change: no second entry.
    await admin.patch(`/servers/${B}`, { shares: [{ userId: op.id, level: 'view' }] });
    const again = await admin.get('/audit?limit=20');
    expect(again.body.items.filter((a: { action: string; target: { id: string } }) => a.action === 'server.shares' && a.target.id === B)).toHaveLength(1);
  });

  it('bad shares: 422 with field messages', async () => {
    const admin = as(s.adminToken);
    const level = await admin.patch(`/servers/${C}`, { shares: [{ userId: op.id, level: 'root' }] });
    expect(level.status).toBe(422);
    expect(level.body.error.fields['shares.0.level']).toBeDefined();
    const twice = await admin.patch(`/servers/${C}`, { shares: [{ userId: op.id, level: 'view' }, { userId: op.id, level: 'operate' }] });
    expect(twice.status).toBe(422);
    const both = await admin.patch(`/servers/${C}`, { shares: [], sharedWith: [] });
    expect(both.status).toBe(422);
    const unknown = await admin.patch(`/servers/${C}`, { shares: [{ userId: 'no-such-user', level: 'view' }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.shares).toBeDefined();
  });

  it('a user sees only their own share, with its level', async () => {
    const mine = await as(op.token).get(`/servers/${A}`);
    expect(mine.body.shares).toEqual([{ userId: op.id, level: 'operate' }]);
    expect(mine.body.sharedWith).toEqual([op.id]);
    expect((await as(op.token).get(`/servers/${C}`)).status).toBe(404);
  });

  it('an operator may do on their server exactly what CONTRACT lists', async () => {
    const o = as(op.token);
    expect((await o.post(`/servers/${A}/test`)).status).toBe(202);
    expect((await o.post(`/servers/${A}/install-nginx`)).status).toBe(202);
    expect((await o.post(`/servers/${A}/install-glances`, { bind: '10.0.0.7' })).status).toBe(202);
    expect((await o.post(`/servers/${A}/deploy`)).status).toBe(202);

    const id = await created(await o.post('/domains', { fqdn: 'new.op.test', serverId: A, upstreamId: upA }));
    const patched = await o.patch(`/domains/${id}`, { websocket: true, aliases: ['alias.op.test'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.websocket).toBe(true);
    expect((await o.post(`/domains/${id}/deploy`)).status).toBe(202);
    const checked = await o.post(`/domains/${domA}/check-dns`);
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(checked.body).toMatchObject({ domainId: domA, status: 'ok' });

    const silenceServer = await created(await o.post('/silences', { serverId: A, endsAt: future(), reason: 'maintenance' }));
    const silenceDomain = await created(await o.post('/silences', { domainId: domA, endsAt: future() }));
    expect((await o.del(`/silences/${silenceServer}`)).status).toBe(204);
    expect((await o.del(`/silences/${silenceDomain}`)).status).toBe(204);
    expect((await o.del(`/domains/${id}`)).status).toBe(204);

    // Audited as the operator.
    const audit = await as(s.adminToken).get('/audit?limit=50');
    const create = audit.body.items.find((a: { action: string; target: { id: string } }) => a.action === 'domain.create' && a.target.id === id);
    expect(create.actor.id).toBe(op.id);
  });

  it('never: custom directives, templates, moving to a server they do not operate, pools they cannot see', async () => {
    const o = as(op.token);
    const directives = await o.post('/domains', { fqdn: 'cd.op.test', serverId: A, upstreamId: upA, customDirectives: 'gzip on;' });
    expect(directives.status).toBe(403);
    expect((await o.patch(`/domains/${domA}`, { customDirectives: 'gzip on;' })).status).toBe(403);
    expect((await o.patch(`/domains/${domA}`, { templateId: 'builtin-http' })).status).toBe(403);
    expect((await o.post('/domains', { fqdn: 'tpl.op.test', serverId: A, upstreamId: upA, templateId: 'builtin-http' })).status).toBe(403);
    // Moving: to a server only viewed, to one not shared, to one that does not exist: 403 alike.
    expect((await o.patch(`/domains/${domA}`, { serverId: B })).status).toBe(403);
    expect((await o.patch(`/domains/${domA}`, { serverId: C })).status).toBe(403);
    expect((await o.patch(`/domains/${domA}`, { serverId: 'no-such-server' })).status).toBe(403);
    expect((await o.post('/domains', { fqdn: 'x.op.test', serverId: B, upstreamId: upA })).status).toBe(403);
    expect((await o.post('/domains', { fqdn: 'y.op.test', serverId: C, upstreamId: upA })).status).toBe(403);
    const pool = await o.post('/domains', { fqdn: 'z.op.test', serverId: A, upstreamId: upHidden });
    expect(pool.status).toBe(422);
    expect(pool.body.error.fields.upstreamId).toEqual(['No such upstream.']);
    // Unchanged admin fields are fine (the console's form sends every field).
    const same = await o.patch(`/domains/${domA}`, { customDirectives: '', templateId: null, clientMaxBodySize: '2m' });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
  });

  it('never the server itself, nor anything admin-only', async () => {
    const o = as(op.token);
    expect((await o.post(`/servers/${A}/trust-host-key`, {})).status).toBe(403);
    expect((await o.patch(`/servers/${A}`, { name: 'renamed' })).status).toBe(403);
    expect((await o.patch(`/servers/${A}`, { shares: [] })).status).toBe(403);
    expect((await o.del(`/servers/${A}`)).status).toBe(403);
    expect((await o.post('/servers', { name: 'mine', host: '10.0.0.8', authMethod: 'password', password: 'x-password' })).status).toBe(403);
    expect((await o.post('/upstreams', { name: 'mine', targets: [{ host: '127.0.0.1', port: 1 }] })).status).toBe(403);
    expect((await o.patch(`/upstreams/${upA}`, { name: 'mine' })).status).toBe(403);
    expect((await o.del(`/upstreams/${upA}`)).status).toBe(403);
    expect((await o.post(`/upstreams/${upA}/check`)).status).toBe(403);
    expect((await o.get('/templates')).status).toBe(403);
    expect((await o.post('/templates', { name: 't', kind: 'http', body: 'x' })).status).toBe(403);
    expect((await o.post('/certificates', {})).status).toBe(403);
    expect((await o.get('/settings')).status).toBe(403);
    expect((await o.patch('/settings', {})).status).toBe(403);
    expect((await o.get('/users')).status).toBe(403);
    expect((await o.get('/audit')).status).toBe(403);
    expect((await o.post('/alert-rules', { kind: 'cpu', threshold: 90 })).status).toBe(403);
  });

  it('on a server they only view: 403 as before; on one not shared: 404', async () => {
    const o = as(op.token);
    for (const path of [`/servers/${B}/test`, `/servers/${B}/install-nginx`, `/servers/${B}/deploy`, `/domains/${domB}/deploy`, `/domains/${domB}/check-dns`]) {
      expect((await o.post(path)).status, path).toBe(403);
    }
    expect((await o.post(`/servers/${B}/install-glances`, { bind: '10.0.0.7' })).status).toBe(403);
    expect((await o.patch(`/domains/${domB}`, { websocket: true })).status).toBe(403);
    expect((await o.del(`/domains/${domB}`)).status).toBe(403);
    expect((await o.post('/silences', { serverId: B, endsAt: future() })).status).toBe(403);
    expect((await o.post('/silences', { domainId: domB, endsAt: future() })).status).toBe(403);
    const adminSilence = await created(await as(s.adminToken).post('/silences', { serverId: B, endsAt: future() }));
    expect((await o.del(`/silences/${adminSilence}`)).status).toBe(403);
    expect((await o.post(`/servers/${C}/test`)).status).toBe(404);
    expect((await o.post(`/servers/${C}/deploy`)).status).toBe(404);
    expect((await o.post('/silences', { serverId: C, endsAt: future() })).status).toBe(404);
    expect((await o.post('/silences', { serverId: 'no-such-server', endsAt: future() })).status).toBe(404);
  });

  it('a user who operates nothing gets 403 on every operate route, before the body is read', async () => {
    const v = as(viewer.token);
    expect((await v.post(`/servers/${A}/test`)).status).toBe(403);
    expect((await v.post(`/servers/${A}/deploy`)).status).toBe(403);
    expect((await v.post('/domains', {})).status).toBe(403);
    expect((await v.patch(`/domains/${domA}`, { websocket: true })).status).toBe(403);
    expect((await v.post('/silences', {})).status).toBe(403);
    expect((await v.post(`/domains/${domA}/check-dns`)).status).toBe(403);
  });

  it('taking operate away takes the rights away at once', async () => {
    await as(s.adminToken).patch(`/servers/${A}`, { shares: [{ userId: op.id, level: 'view' }] });
    expect((await as(op.token).post(`/servers/${A}/test`)).status).toBe(403);
    await as(s.adminToken).patch(`/servers/${A}`, { shares: [{ userId: op.id, level: 'operate' }] });
    expect((await as(op.token).post(`/servers/${A}/test`)).status).toBe(202);
  });
});
