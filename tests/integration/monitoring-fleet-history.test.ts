import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { api } from '../support/api';
import { getDb, newId } from '@/lib/db';
import { getFleetHistory } from '@/lib/monitoring/fleet-history';
import { cliActor } from '@/lib/access/actor';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

/** The busiest servers over a window, straight from the roll-up tables (both dialects). */
describe.each(dialects)('fleet history (busiest servers from roll-ups) on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const ids: Record<string, string> = {};

  async function server(name: string, sharedWith?: string, tags: string[] = []) {
    const { db, t } = getDb();
    const id = newId();
    await db.insert(t.servers).values({ id, name, host: '127.0.0.1', authMethod: 'password', tags, createdAt: new Date(), updatedAt: new Date() });
    if (sharedWith) await db.insert(t.serverShares).values({ serverId: id, userId: sharedWith });
    ids[name] = id;
    return id;
  }

  /** Hourly and 5-minute buckets with the given averages (max = avg + 10) at `ago` ms before now. */
  async function buckets(serverId: string, resolution: '5m' | '1h', list: { ago: number; cpu: number | null; memory: number; disk: number; count?: number }[]) {
    const { db, t } = getDb();
    await db.insert(t.metricRollups).values(
      list.map((b) => ({
        serverId, resolution, bucketStart: new Date(now - b.ago), count: b.count ?? 12,
        cpuAvg: b.cpu, cpuMax: b.cpu === null ? null : b.cpu + 10, memoryAvg: b.memory, memoryMax: b.memory + 10, diskAvg: b.disk, diskMax: b.disk + 10,
        load1Avg: 1, load1Max: 2, load5Avg: 1, load15Avg: 1, netRxAvg: 0, netTxAvg: 0,
      })),
    );
  }

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    const hot = await server('hot', s.user.id);
    const warm = await server('warm', undefined, ['eu', 'web']);
    const cold = await server('cold', s.user.id, ['eu']);
    const old = await server('old-spike');
    // 24 h uses 5-minute buckets: hot 90 %, warm 50/70 weighted by counts (12×50 + 36×70)/48 = 65.
    await buckets(hot, '5m', [{ ago: HOUR, cpu: 90, memory: 20, disk: 10 }, { ago: 2 * HOUR, cpu: 90, memory: 20, disk: 10 }]);
    await buckets(warm, '5m', [{ ago: HOUR, cpu: 50, memory: 80, disk: 30, count: 12 }, { ago: 3 * HOUR, cpu: 70, memory: 80, disk: 30, count: 36 }]);
    await buckets(cold, '5m', [{ ago: HOUR, cpu: 5, memory: 10, disk: 95 }, { ago: 2 * HOUR, cpu: null, memory: 10, disk: 95 }]);
    // Outside the 24 h window but inside 7 d: counts only for the longer windows (hourly buckets).
    await buckets(old, '5m', [{ ago: 3 * DAY, cpu: 100, memory: 100, disk: 100 }]);
    await buckets(old, '1h', [{ ago: 3 * DAY, cpu: 99, memory: 99, disk: 99 }]);
    await buckets(hot, '1h', [{ ago: HOUR, cpu: 90, memory: 20, disk: 10 }, { ago: 20 * DAY, cpu: 10, memory: 20, disk: 10 }]);
    await buckets(warm, '1h', [{ ago: 2 * HOUR, cpu: 60, memory: 80, disk: 30 }, { ago: 40 * DAY, cpu: 100, memory: 100, disk: 100 }]);
  });
  afterAll(async () => tdb?.close());

  const order = (list: { name: string }[]) => list.map((x) => x.name);

  it('24 h: the busiest per metric from 5-minute buckets, weighted averages and maxima', async () => {
    const h = await getFleetHistory(cliActor, { window: '24h' }, new Date(now));
    expect(h).toMatchObject({ window: '24h', resolution: '5m' });
    expect(order(h.cpu)).toEqual(['hot', 'warm', 'cold']);
    expect(h.cpu[1]).toEqual({ serverId: ids.warm, name: 'warm', avg: 65, max: 80 });
    // A bucket without a CPU value is left out of the CPU average, not counted as zero.
    expect(h.cpu[2]).toMatchObject({ name: 'cold', avg: 5, max: 15 });
    expect(order(h.memory)).toEqual(['warm', 'hot', 'cold']);
    expect(order(h.disk)).toEqual(['cold', 'warm', 'hot']);
    expect(h.disk[0]).toMatchObject({ avg: 95, max: 105 });
    const top1 = await getFleetHistory(cliActor, { window: '24h', limit: 1 }, new Date(now));
    expect([top1.cpu, top1.memory, top1.disk].map(order)).toEqual([['hot'], ['warm'], ['cold']]);
  });

  it('7 d and 30 d: hourly buckets, the window decides what counts', async () => {
    const week = await getFleetHistory(cliActor, { window: '7d' }, new Date(now));
    expect(week.resolution).toBe('1h');
    expect(order(week.cpu)).toEqual(['old-spike', 'hot', 'warm']);
    const month = await getFleetHistory(cliActor, { window: '30d' }, new Date(now));
    expect(order(month.cpu)).toEqual(['old-spike', 'warm', 'hot']);
    expect(month.cpu.find((x) => x.name === 'hot')).toMatchObject({ avg: 50, max: 100 });
  });

  it('?tag= narrows the history and the fleet to servers carrying every tag', async () => {
    const eu = await api('GET', '/api/v1/fleet/history?window=24h&tag=eu', { token: s.adminToken });
    expect(order(eu.body.cpu)).toEqual(['warm', 'cold']);
    const both = await api('GET', '/api/v1/fleet/history?window=24h&tag=eu&tag=web', { token: s.adminToken });
    expect(order(both.body.cpu)).toEqual(['warm']);
    expect(order((await api('GET', '/api/v1/fleet/history?tag=eu', { token: s.userToken })).body.cpu)).toEqual(['cold']);
    const fleet = await api('GET', '/api/v1/fleet?tag=eu', { token: s.adminToken });
    expect(fleet.status, fleet.text).toBe(200);
    expect(order(fleet.body.items).sort()).toEqual(['cold', 'warm']);
    expect(fleet.body.items.find((x: { name: string }) => x.name === 'warm').tags).toEqual(['eu', 'web']);
    expect((await api('GET', '/api/v1/fleet?tag=Bad_Tag', { token: s.adminToken })).status).toBe(422);
  });

  it('over the API: users see only shared servers; bad windows are a 422; signed out 401', async () => {
    const admin = await api('GET', '/api/v1/fleet/history?window=24h', { token: s.adminToken });
    expect(admin.status, admin.text).toBe(200);
    expect(order(admin.body.cpu)).toEqual(['hot', 'warm', 'cold']);
    const user = await api('GET', '/api/v1/fleet/history?window=30d', { token: s.userToken });
    expect(user.status).toBe(200);
    expect(order(user.body.cpu)).toEqual(['hot']);
    expect(order((await api('GET', '/api/v1/fleet/history', { token: s.userToken })).body.disk)).toEqual(['cold', 'hot']);
    const bad = await api('GET', '/api/v1/fleet/history?window=1y&limit=0', { token: s.adminToken });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['limit', 'window']);
    expect((await api('GET', '/api/v1/fleet/history')).status).toBe(401);
  });
});
