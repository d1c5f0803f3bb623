import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { api } from '../support/api';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { getDb, newId } from '@/lib/db';
import { busReady, subscribe, type GatehouseEvent } from '@/lib/events/bus';
import { waitFor } from '../support/wait';
import { checkDueUpstreams } from '@/lib/monitoring/upstream-health';

async function makeUpstream(healthCheck: { type: 'none' | 'http' | 'tcp'; path?: string; intervalSeconds?: number } | null, targets: Array<{ host: string; port: number }>) {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.upstreams).values({ id, name: `up-${id.slice(-8)}`, healthCheck, createdAt: now, updatedAt: now });
  const ids: string[] = [];
  for (const [position, target] of targets.entries()) {
    const tid = newId();
    ids.push(tid);
    await db.insert(t.upstreamTargets).values({ id: tid, upstreamId: id, position, host: target.host, port: target.port });
  }
  return { id, targets: ids };
}

async function targetRow(id: string) {
  const { db, t } = getDb();
  return (await db.select().from(t.upstreamTargets).where(eq(t.upstreamTargets.id, id)))[0];
}

describe.each(dialects)('upstream target health on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let app: HttpUpstream;
  let failing: HttpUpstream;
  let closedPort: number;
  const events: GatehouseEvent[] = [];
  let unsubscribe = () => {};

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    app = await startHttpUpstream({ name: 'app' });
    failing = await startHttpUpstream({ name: 'broken', status: 503 });
    closedPort = await freePort();
    unsubscribe = subscribe((e) => events.push(e));
    await busReady(); // PostgreSQL: LISTEN is up before the first event
  });
  afterAll(async () => {
    unsubscribe();
    await app?.stop();
    await failing?.stop();
    await tdb?.close();
  });

  it('the job probes HTTP targets: a live app is up, a 503 or a closed port is down', async () => {
    const u = await makeUpstream({ type: 'http', path: '/healthz', intervalSeconds: 10 }, [
      { host: '127.0.0.1', port: app.port },
      { host: '127.0.0.1', port: failing.port },
      { host: '127.0.0.1', port: closedPort },
    ]);
    const before = Date.now();
    await checkDueUpstreams(before);
    const [up, err, closed] = await Promise.all(u.targets.map(targetRow));
    expect(up).toMatchObject({ healthStatus: 'up', healthError: null });
    expect(up.healthCheckedAt!.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(err).toMatchObject({ healthStatus: 'down', healthError: 'The target answered with server error HTTP 503.' });
    expect(closed).toMatchObject({ healthStatus: 'down', healthError: 'The target refused the connection.' });
    expect(app.hits.some((h) => h.url === '/healthz')).toBe(true);
    await waitFor(() => events.filter((e) => e.type === 'upstream.target' && e.data.upstreamId === u.id).length >= 3);
    const changes = events.filter((e) => e.type === 'upstream.target' && e.data.upstreamId === u.id);
    expect(changes.map((e) => e.data.status).sort()).toEqual(['down', 'down', 'up']);
    expect(changes.every((e) => e.serverId === null)).toBe(true);

    // Not due again within the interval; no event when nothing changed.
    expect((await checkDueUpstreams(Date.now())).probed).toBe(0);
    await checkDueUpstreams(Date.now() + 11_000);
    expect(events.filter((e) => e.type === 'upstream.target' && e.data.upstreamId === u.id)).toHaveLength(3);
  });

  it('upstreams without a check are left alone by the job', async () => {
    const u = await makeUpstream({ type: 'none' }, [{ host: '127.0.0.1', port: app.port }]);
    const none = await makeUpstream(null, [{ host: '127.0.0.1', port: app.port }]);
    await checkDueUpstreams(Date.now() + 3_600_000);
    expect((await targetRow(u.targets[0])).healthStatus).toBe('unknown');
    expect((await targetRow(none.targets[0])).healthStatus).toBe('unknown');
  });

  it('POST /upstreams/{id}/check probes now (TCP when no check is configured)', async () => {
    const u = await makeUpstream(null, [{ host: '127.0.0.1', port: app.port }, { host: '127.0.0.1', port: closedPort }]);
    const r = await api('POST', `/api/v1/upstreams/${u.id}/check`, { token: s.adminToken });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      upstreamId: u.id,
      type: 'tcp',
      targets: [
        { id: u.targets[0], host: '127.0.0.1', port: app.port, status: 'up', error: null },
        { id: u.targets[1], status: 'down', error: 'The target refused the connection.' },
      ],
    });
    expect((await targetRow(u.targets[1])).healthStatus).toBe('down');
    expect((await api('POST', `/api/v1/upstreams/${u.id}/check`, { token: s.userToken })).status).toBe(403);
    expect((await api('POST', `/api/v1/upstreams/${u.id}/check`)).status).toBe(401);
    expect((await api('POST', `/api/v1/upstreams/${newId()}/check`, { token: s.adminToken })).status).toBe(404);
  });
});
