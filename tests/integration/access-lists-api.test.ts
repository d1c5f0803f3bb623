/**
 * Access lists through the real route handlers, on both dialects: shapes (write-only passwords),
 * roles (admin writes; a user reads the lists used by domains on servers shared with them),
 * 409 access_list_in_use for a domain's or a location's list, upstream_in_use through a
 * location, audit and events, and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair } from '../support/sshd';
import { getDb } from '@/lib/db';

describe.each(dialects)('access lists API on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let shared: string;
  let hidden: string;
  let upstreamId: string;

  const as = (token: string, method: string, path: string, body?: unknown) => api(method, path, { token, body });
  const admin = (method: string, path: string, body?: unknown) => as(s.adminToken, method, path, body);

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    const { privateKey } = await generateKeyPair();
    const server = async (name: string, sharedWith: string[]) =>
      (await admin('POST', '/api/v1/servers', { name, host: '127.0.0.1', authMethod: 'key', privateKey, monitoringEnabled: false, sharedWith })).body.id as string;
    shared = await server('al-shared', [s.user.id]);
    hidden = await server('al-hidden', []);
    upstreamId = (await admin('POST', '/api/v1/upstreams', { name: 'al-pool', targets: [{ host: '127.0.0.1', port: 9000 }] })).body.id;
  });
  afterAll(async () => tdb?.close());

  it('creates, reads and changes lists; passwords are write-only and stored as $6$ hashes', async () => {
    const r = await admin('POST', '/api/v1/access-lists', { name: 'Ops team', users: [{ username: 'ops', password: 's3cret!' }], rules: [{ action: 'allow', source: '192.0.2.0/24' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ name: 'Ops team', satisfy: 'all', users: [{ username: 'ops', hasPassword: true }], rules: [{ action: 'allow', source: '192.0.2.0/24' }], domainCount: 0 });
    const { db, t } = getDb();
    const [row] = await db.select().from(t.accessLists).where(eq(t.accessLists.id, r.body.id));
    expect(row.users[0].hash).toMatch(/^\$6\$/);
    expect(JSON.stringify(row)).not.toContain('s3cret!');
    expect((await admin('POST', '/api/v1/access-lists', { name: 'Ops team' })).body.error.code).toBe('access_list_exists');
    const newUser = await admin('PATCH', `/api/v1/access-lists/${r.body.id}`, { users: [{ username: 'ops' }, { username: 'new' }] });
    expect([newUser.status, Object.keys(newUser.body.error.fields)]).toEqual([422, ['users.1.password']]);
    const audit = await db.select().from(t.auditEvents).where(eq(t.auditEvents.targetId, r.body.id));
    expect(audit.map((a) => a.action)).toContain('access_list.create');
    expect(JSON.stringify(audit)).not.toContain('s3cret!');
    const events = await db.select().from(t.events).where(eq(t.events.type, 'access_list.updated'));
    expect(events.length).toBeGreaterThan(0);
  });

  it('admins write; a user reads only the lists their shared servers use', async () => {
    const mine = (await admin('POST', '/api/v1/access-lists', { name: 'mine', rules: [{ action: 'deny', source: 'all' }] })).body.id;
    const onLocation = (await admin('POST', '/api/v1/access-lists', { name: 'on-location' })).body.id;
    const theirs = (await admin('POST', '/api/v1/access-lists', { name: 'theirs' })).body.id;
    const d1 = await admin('POST', '/api/v1/domains', { fqdn: 'a.al.test', serverId: shared, upstreamId, accessListId: mine, locations: [{ path: '/x/', upstreamId, accessListId: onLocation }] });
    expect(d1.status, JSON.stringify(d1.body)).toBe(201);
    expect(d1.body.locations).toEqual([{ path: '/x/', upstreamId, redirect: null, websocket: false, clientMaxBodySize: '1m', accessListId: onLocation }]);
    expect((await admin('POST', '/api/v1/domains', { fqdn: 'b.al.test', serverId: hidden, upstreamId, accessListId: theirs })).status).toBe(201);

    const list = await as(s.userToken, 'GET', '/api/v1/access-lists');
    expect(list.status).toBe(200);
    expect(list.body.items.map((l: { name: string }) => l.name).sort()).toEqual(['mine', 'on-location']);
    expect((await as(s.userToken, 'GET', `/api/v1/access-lists/${mine}`)).status).toBe(200);
    expect((await as(s.userToken, 'GET', `/api/v1/access-lists/${theirs}`)).status).toBe(404);
    expect((await as(s.userToken, 'POST', '/api/v1/access-lists', { name: 'nope' })).status).toBe(403);
    expect((await as(s.userToken, 'PATCH', `/api/v1/access-lists/${mine}`, { satisfy: 'any' })).status).toBe(403);
    expect((await as(s.userToken, 'DELETE', `/api/v1/access-lists/${mine}`)).status).toBe(403);

    // In use by a domain, or only by a location: 409 naming the domain. The pool too.
    const inUse = await admin('DELETE', `/api/v1/access-lists/${onLocation}`);
    expect([inUse.status, inUse.body.error.code, inUse.body.error.details?.domains]).toEqual([409, 'access_list_in_use', ['a.al.test']]);
    const pool = await admin('DELETE', `/api/v1/upstreams/${upstreamId}`);
    expect([pool.status, pool.body.error.code]).toEqual([409, 'upstream_in_use']);
    expect((await admin('GET', `/api/v1/access-lists/${mine}`)).body.domainCount).toBe(1);
    // A list or a pool that does not exist is a field error.
    const missing = await admin('POST', '/api/v1/domains', { fqdn: 'c.al.test', serverId: shared, upstreamId, locations: [{ path: '/y/', upstreamId: 'nope', accessListId: 'nope' }] });
    expect([missing.status, Object.keys(missing.body.error.fields).sort()]).toEqual([422, ['locations.0.accessListId', 'locations.0.upstreamId']]);
    // Changing a used list makes its domains pending; detaching frees it.
    await admin('PATCH', `/api/v1/domains/${d1.body.id}`, { locations: [] });
    expect((await admin('DELETE', `/api/v1/access-lists/${onLocation}`)).status).toBe(204);
  });

  it('redirect-only domains answer upstreamId null', async () => {
    const r = await admin('POST', '/api/v1/domains', { fqdn: 'go.al.test', serverId: shared, redirect: { url: 'https://a.al.test' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ upstreamId: null, redirect: { url: 'https://a.al.test', code: 301, preservePath: true }, accessListId: null, locations: [] });
    const off = await admin('PATCH', `/api/v1/domains/${r.body.id}`, { redirect: null });
    expect([off.status, Object.keys(off.body.error.fields)]).toEqual([422, ['upstreamId']]);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await api('GET', '/api/v1/openapi.json', {});
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/access-lists', '/access-lists/{id}']));
  });
});
