import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { executeSql, getDb, newId } from '@/lib/db';
import { config } from '@/lib/config';
import { INSTANCE_STALE_MS, setLeader } from '@/lib/lifecycle';
import { balancePollLeases, ensureLeaseRows, heldServerIds, leaseCounts, releasePollLeases } from '@/lib/monitoring/poll-leases';
import { heartbeatInstance, resetInstanceHeartbeat, stopInstanceHeartbeat } from '@/lib/scheduler/instances';
import { interruptTasksOfDeadInstances, INSTANCE_LOST } from '@/lib/tasks/store';
import { health } from '@/lib/system/health';
import { instanceRows, listInstances } from '@/lib/system/instances';
import { dialects, openTestDb, type TestDb } from '../support/test-db';

let tdb: TestDb;

async function addServers(n: number) {
  const { db, t } = getDb();
  const now = new Date();
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `srv-${String(i).padStart(4, '0')}`,
    name: `s${i}`,
    host: '192.0.2.1',
    authMethod: 'password' as const,
    glancesUrl: `http://127.0.0.1:1/s${i}`,
    monitoringEnabled: true,
    createdAt: now,
    updatedAt: now,
  }));
  await db.insert(t.servers).values(rows);
  return rows.map((r) => r.id);
}

async function addInstance(id: string, lastSeenAgoMs = 0, extra: Partial<{ scheduler: boolean; stoppedAt: Date }> = {}) {
  const { db, t } = getDb();
  const at = new Date(Date.now() - lastSeenAgoMs);
  await db.insert(t.instances).values({ id, startedAt: at, lastSeenAt: at, leader: false, scheduler: true, ...extra });
}

describe.each(dialects)('scale-out (%s)', (dialect) => {
  beforeEach(async () => {
    tdb = await openTestDb(dialect, { INSTANCE_ID: 'self-1' });
    resetInstanceHeartbeat();
  });
  afterEach(async () => {
    resetInstanceHeartbeat();
    setLeader(false);
    await tdb.close();
  });

  it('each instance writes its row; /health and /instances name it, a stopped one reads as gone', async () => {
    setLeader(true);
    await heartbeatInstance();
    expect((await health()).instance).toEqual({ id: 'self-1', leader: true });
    await addInstance('old-1', INSTANCE_STALE_MS + 5_000);
    const { items } = await listInstances();
    expect(items.map((i) => i.id)).toEqual(['self-1', 'old-1']);
    expect(items[0]).toMatchObject({ leader: true, polling: 0 });
    expect(Object.keys(items[0]).sort()).toEqual(['id', 'lastSeenAt', 'leader', 'polling', 'startedAt']);
    await stopInstanceHeartbeat();
    expect((await instanceRows()).find((i) => i.id === 'self-1')).toMatchObject({ gone: true, leader: false });
  });

  it('a running task of a dead instance is interrupted; a live one\'s and this one\'s are not', async () => {
    await heartbeatInstance();
    await addInstance('alive-1');
    await addInstance('dead-1', INSTANCE_STALE_MS + 5_000);
    await addInstance('stopped-1', 0, { stoppedAt: new Date() });
    const { db, t } = getDb();
    const now = new Date();
    const task = (claimedBy: string | null, heartbeatAgoMs = 0) => ({
      id: newId(), kind: 'test.noop', status: 'running' as const, claimedBy, createdAt: now, startedAt: now, heartbeatAt: new Date(Date.now() - heartbeatAgoMs),
    });
    const rows = [task('self-1'), task('alive-1'), task('dead-1'), task('stopped-1'), task('unknown-1', 5_000), task('unknown-2', 120_000)];
    await db.insert(t.tasks).values(rows);
    expect(await interruptTasksOfDeadInstances('self-1', INSTANCE_STALE_MS)).toBe(3);
    const after = new Map((await db.select().from(t.tasks)).map((r) => [r.claimedBy, r]));
    expect(rows.map((r) => [r.claimedBy, after.get(r.claimedBy)!.status])).toEqual([
      ['self-1', 'running'], ['alive-1', 'running'], ['dead-1', 'interrupted'], ['stopped-1', 'interrupted'], ['unknown-1', 'running'], ['unknown-2', 'interrupted'],
    ]);
    expect(after.get('dead-1')!.error).toBe(INSTANCE_LOST);
    expect(after.get('dead-1')!.finishedAt).not.toBeNull();
  });

  it.runIf(dialect === 'sqlite')('on SQLite the one instance polls every monitored server', async () => {
    await addServers(7);
    await heartbeatInstance(); // SCHEDULER=off in tests: it polls nothing
    await addInstance('solo-1');
    const items = (await listInstances()).items.sort((a, b) => a.id.localeCompare(b.id));
    expect(items).toMatchObject([{ id: config().INSTANCE_ID, polling: 0 }, { id: 'solo-1', polling: 7 }]);
  });

  it.runIf(dialect === 'postgres')('leases split the fleet into disjoint fair shares, also when claimed at once', async () => {
    const all = await addServers(30);
    for (const id of ['a', 'b', 'c']) await addInstance(id);
    await ensureLeaseRows();
    const results = await Promise.all(['a', 'b', 'c'].map((id) => balancePollLeases(id, 15_000)));
    expect(results.map((r) => r.target)).toEqual([10, 10, 10]);
    const shares = await Promise.all(['a', 'b', 'c'].map((id) => heldServerIds(id)));
    expect(shares.map((s) => s.size)).toEqual([10, 10, 10]);
    const union = new Set(shares.flatMap((s) => [...s]));
    expect(union.size).toBe(30);
    expect([...union].sort()).toEqual(all);
    // A second step changes nothing.
    expect((await balancePollLeases('a', 15_000)).claimed).toEqual([]);
    expect(Object.fromEntries(await leaseCounts())).toEqual({ a: 10, b: 10, c: 10 });
  });

  it.runIf(dialect === 'postgres')('leases that ran out move at once, before the heartbeat of their instance is stale', async () => {
    await addServers(30);
    for (const id of ['a', 'b', 'c']) await addInstance(id);
    await ensureLeaseRows();
    for (const id of ['a', 'b', 'c']) await balancePollLeases(id, 15_000);
    const cShare = await heldServerIds('c');
    await executeSql(sql`update poll_leases set expires_at = now() - interval '1 second' where instance_id = 'c'`);
    const a = await balancePollLeases('a', 15_000);
    const b = await balancePollLeases('b', 15_000);
    expect([a.held, b.held]).toEqual([15, 15]);
    expect(new Set([...a.claimed, ...b.claimed])).toEqual(cShare);
  });

  it.runIf(dialect === 'postgres')('a dead instance\'s servers move to the living once its leases expire; a new one gets its share', async () => {
    await addServers(30);
    for (const id of ['a', 'b', 'c']) await addInstance(id);
    await ensureLeaseRows();
    for (const id of ['a', 'b', 'c']) await balancePollLeases(id, 15_000);
    const cShare = await heldServerIds('c');
    // c dies: its row goes stale; its leases still run for a while and nobody takes them early.
    await executeSql(sql`update instances set last_seen_at = now() - interval '1 minute' where id = 'c'`);
    expect((await balancePollLeases('a', 15_000)).claimed).toEqual([]);
    expect((await heldServerIds('c')).size).toBe(10);
    await executeSql(sql`update poll_leases set expires_at = now() - interval '1 second' where instance_id = 'c'`);
    const a = await balancePollLeases('a', 15_000);
    const b = await balancePollLeases('b', 15_000);
    expect([a.held, b.held]).toEqual([15, 15]);
    expect(new Set([...a.claimed, ...b.claimed])).toEqual(cShare);
    // d joins: a and b give back the excess, d claims it.
    await addInstance('d');
    expect((await balancePollLeases('a', 15_000)).released).toBe(5);
    expect((await balancePollLeases('b', 15_000)).released).toBe(5);
    expect((await balancePollLeases('d', 15_000)).held).toBe(10);
    // A graceful stop gives everything back at once.
    expect(await releasePollLeases('d')).toBe(10);
    await executeSql(sql`update instances set stopped_at = now() where id = 'd'`);
    expect((await balancePollLeases('a', 15_000)).held).toBe(15);
    expect((await balancePollLeases('b', 15_000)).held).toBe(15);
    // A server deleted or no longer monitored leaves every share.
    const { db, t } = getDb();
    const [one] = [...(await heldServerIds('a'))];
    await db.update(t.servers).set({ monitoringEnabled: false }).where(eq(t.servers.id, one));
    expect(Object.fromEntries(await leaseCounts())).toEqual({ a: 14, b: 15 });
  });
});
