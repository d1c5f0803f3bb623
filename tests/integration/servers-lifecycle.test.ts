import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { readSse } from '../support/sse';
import { getDb, newId } from '@/lib/db';
import { enqueueTask } from '@/lib/tasks/service';
import { cliActor } from '@/lib/access/actor';

const FP_A = `SHA256:${'A'.repeat(43)}`;
const FP_B = `SHA256:${'B'.repeat(42)}c`;

describe.each(dialects)('server lifecycle on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    s = await seedUsers();
  });
  afterAll(async () => tdb?.close());

  const create = async (name: string, over: Record<string, unknown> = {}) => {
    const r = await api('POST', '/api/v1/servers', { token: s.adminToken, body: { name, host: '10.1.0.1', authMethod: 'password', password: 'pw-123456', ...over } });
    expect(r.status).toBe(201);
    return r.body as { id: string; name: string };
  };

  async function addDomain(serverId: string, fqdn: string) {
    const { db, t } = getDb();
    const now = new Date();
    const upstreamId = newId();
    await db.insert(t.upstreams).values({ id: upstreamId, name: `up-${fqdn}`, createdAt: now, updatedAt: now });
    const id = newId();
    await db.insert(t.domains).values({ id, fqdn, aliases: [], serverId, upstreamId, expectedNameservers: [], createdAt: now, updatedAt: now });
    return id;
  }

  it('delete: 409 server_has_domains naming them; after they are gone, the server and what is its own go', async () => {
    const srv = await create('del-1');
    const d1 = await addDomain(srv.id, 'b.example.com');
    await addDomain(srv.id, 'a.example.com');
    const blocked = await api('DELETE', `/api/v1/servers/${srv.id}`, { token: s.adminToken });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('server_has_domains');
    expect(blocked.body.error.message).toContain('a.example.com, b.example.com');
    expect(blocked.body.error.details.domains.map((d: { fqdn: string }) => d.fqdn)).toEqual(['a.example.com', 'b.example.com']);

    const { db, t } = getDb();
    await db.delete(t.domains).where(eq(t.domains.serverId, srv.id));
    expect(d1).toBeTruthy();
    // Things that belong only to the server.
    await api('PATCH', `/api/v1/servers/${srv.id}`, { token: s.adminToken, body: { sharedWith: [s.user.id] } });
    const task = await enqueueTask(cliActor, { kind: 'server.test', serverId: srv.id });
    await db.insert(t.metricSamples).values({ serverId: srv.id, at: new Date(), cpu: 1 });
    await db.insert(t.alertRules).values({ id: newId(), kind: 'cpu', serverId: srv.id, createdAt: new Date(), updatedAt: new Date() });
    await db.insert(t.alerts).values({
      id: newId(), kind: 'cpu', severity: 'warning', key: `cpu:${srv.id}`, subjectType: 'server', subjectId: srv.id, subjectName: srv.name,
      serverId: srv.id, state: 'firing', pendingSince: new Date(),
    });

    const gone = await api('DELETE', `/api/v1/servers/${srv.id}`, { token: s.adminToken });
    expect(gone.status).toBe(204);
    expect((await api('GET', `/api/v1/servers/${srv.id}`, { token: s.adminToken })).status).toBe(404);
    expect(await db.select().from(t.tasks).where(eq(t.tasks.id, task.id))).toEqual([]);
    expect(await db.select().from(t.serverShares).where(eq(t.serverShares.serverId, srv.id))).toEqual([]);
    expect(await db.select().from(t.metricSamples).where(eq(t.metricSamples.serverId, srv.id))).toEqual([]);
    expect(await db.select().from(t.alerts).where(eq(t.alerts.serverId, srv.id))).toEqual([]);
    expect(await db.select().from(t.alertRules).where(eq(t.alertRules.serverId, srv.id))).toEqual([]);
    expect((await api('DELETE', `/api/v1/servers/${srv.id}`, { token: s.adminToken })).status).toBe(404);
    const audit = await api('GET', '/api/v1/audit?limit=3', { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ action: 'server.delete', target: { type: 'server', id: srv.id } });
  });

  it('trust-host-key re-pins to the offered key (or a given one) and is audited', async () => {
    const srv = await create('trust-1', { hostKeyFingerprint: FP_A });
    const path = `/api/v1/servers/${srv.id}/trust-host-key`;
    const nothing = await api('POST', path, { token: s.adminToken });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('no_offered_host_key');

    const { db, t } = getDb();
    await db.update(t.servers).set({ offeredHostKeyFingerprint: FP_B, lastError: 'The server\'s host key changed' }).where(eq(t.servers.id, srv.id));
    const before = await api('GET', `/api/v1/servers/${srv.id}`, { token: s.adminToken });
    expect(before.body).toMatchObject({ hostKeyFingerprint: FP_A, offeredHostKeyFingerprint: FP_B });

    const trusted = await api('POST', path, { token: s.adminToken });
    expect(trusted.status).toBe(200);
    expect(trusted.body).toMatchObject({ hostKeyFingerprint: FP_B, offeredHostKeyFingerprint: null, lastError: null });
    const audit = await api('GET', '/api/v1/audit?limit=1', { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ action: 'server.host_key_trusted', details: { previous: FP_A, fingerprint: FP_B } });

    const given = await api('POST', path, { token: s.adminToken, body: { fingerprint: ` ${FP_A}= ` } });
    expect(given.body.hostKeyFingerprint).toBe(FP_A);
    const bad = await api('POST', path, { token: s.adminToken, body: { fingerprint: 'nope' } });
    expect(bad.status).toBe(422);
    expect((await api('POST', '/api/v1/servers/nope/trust-host-key', { token: s.adminToken })).status).toBe(404);
  });

  it('test, install-nginx and install-glances answer 202 with a queued task', async () => {
    const srv = await create('tasks-1');
    for (const [action, kind] of [['test', 'server.test'], ['install-nginx', 'server.install_nginx']] as const) {
      const r = await api('POST', `/api/v1/servers/${srv.id}/${action}`, { token: s.adminToken });
      expect(r.status).toBe(202);
      const task = await api('GET', `/api/v1/tasks/${r.body.taskId}`, { token: s.adminToken });
      expect(task.body).toMatchObject({ kind, status: 'queued', serverId: srv.id });
    }
    const glances = await api('POST', `/api/v1/servers/${srv.id}/install-glances`, { token: s.adminToken, body: { port: 61300 } });
    expect(glances.status).toBe(202);
    const { db, t } = getDb();
    const [row] = await db.select().from(t.tasks).where(eq(t.tasks.id, glances.body.taskId));
    // The default bind is the server's own address (its host is an IP).
    expect(row.input).toEqual({ bind: '10.1.0.1', port: 61300 });
    expect((await api('POST', '/api/v1/servers/nope/test', { token: s.adminToken })).status).toBe(404);
  });

  it('install-glances needs an explicit address when the host is a name', async () => {
    const srv = await create('named-1', { host: 'web.example.com' });
    const path = `/api/v1/servers/${srv.id}/install-glances`;
    const r = await api('POST', path, { token: s.adminToken });
    expect(r.status).toBe(422);
    expect(r.body.error.fields.bind[0]).toMatch(/IP address/);
    expect((await api('POST', path, { token: s.adminToken, body: { bind: 'web.example.com' } })).status).toBe(422);
    expect((await api('POST', path, { token: s.adminToken, body: { bind: '10.9.9.9', port: 0 } })).status).toBe(422);
    expect((await api('POST', path, { token: s.adminToken, body: { bind: '10.9.9.9' } })).status).toBe(202);
  });

  it('a user sees the events and tasks of a shared server only', async () => {
    const shared = await create('ev-shared', { sharedWith: [s.user.id] });
    const hidden = await create('ev-hidden');
    const controller = new AbortController();
    const stream = await openStream(s.userToken, controller.signal);
    await api('PATCH', `/api/v1/servers/${hidden.id}`, { token: s.adminToken, body: { name: 'ev-hidden-2' } });
    await api('PATCH', `/api/v1/servers/${shared.id}`, { token: s.adminToken, body: { name: 'ev-shared-2' } });
    const frames = await readSse(stream, (f) => f.some((x) => x.event === 'server.updated'));
    controller.abort();
    const updates = frames.filter((f) => f.event === 'server.updated').map((f) => f.data.serverId);
    expect(updates).toEqual([shared.id]);

    const mine = (await api('POST', `/api/v1/servers/${shared.id}/test`, { token: s.adminToken })).body.taskId;
    const theirs = (await api('POST', `/api/v1/servers/${hidden.id}/test`, { token: s.adminToken })).body.taskId;
    const tasks = await api('GET', '/api/v1/tasks', { token: s.userToken });
    const ids = tasks.body.items.map((x: { id: string }) => x.id);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    expect((await api('GET', `/api/v1/tasks/${theirs}`, { token: s.userToken })).status).toBe(404);
  });

  async function openStream(token: string, signal: AbortSignal): Promise<Response> {
    const { GET } = await import('@/app/api/v1/events/route');
    const res = await GET(new Request('http://localhost/api/v1/events', { headers: { authorization: `Bearer ${token}` }, signal }), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    return res;
  }
});
