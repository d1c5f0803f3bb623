import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { api } from '../support/api';
import { getDb, newId } from '@/lib/db';
import { cliActor } from '@/lib/access/actor';
import { updateSettings } from '@/lib/settings/service';
import { pruneMonitoringData, rollUpMetrics } from '@/lib/monitoring/retention';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

async function makeServer(sharedWith?: string) {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.servers).values({ id, name: `srv-${id.slice(-8)}`, host: '127.0.0.1', authMethod: 'password', createdAt: now, updatedAt: now });
  if (sharedWith) await db.insert(t.serverShares).values({ serverId: id, userId: sharedWith });
  return id;
}

/** One sample a minute over [from, to), cpu rising with the minute so averages are checkable. */
async function insertSamples(serverId: string, from: number, to: number, cpu = (i: number) => i % 100) {
  const { db, t } = getDb();
  const rows = [];
  for (let at = from, i = 0; at < to; at += MIN, i++) {
    rows.push({ serverId, at: new Date(at), cpu: cpu(i), memory: 50, swap: 0, disk: 40, load1: 1, load5: 0.5, load15: 0.25, netRx: 1000, netTx: 100 });
  }
  for (let i = 0; i < rows.length; i += 500) await db.insert(t.metricSamples).values(rows.slice(i, i + 500));
  return rows.length;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(dialects)('monitoring history, rollups and fleet on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let shared: string;
  let hidden: string;
  // Aligned to an hour so bucket counts are exact.
  const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * MIN;

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    shared = await makeServer(s.user.id);
    hidden = await makeServer();
    // Raw samples from 6 whole hours before the current one up to a minute ago (now is hh:30).
    await insertSamples(shared, now - 30 * MIN - 6 * HOUR, now - MIN);
    await insertSamples(hidden, now - HOUR, now - MIN);
  });
  afterAll(async () => tdb?.close());

  it('rolls raw samples into 5-minute and hourly buckets (avg and max), idempotently', async () => {
    const first = await rollUpMetrics(new Date(now));
    expect(first.fiveMinute).toBeGreaterThan(0);
    const { db, t } = getDb();
    const r = t.metricRollups;
    const five = await db.select().from(r).where(and(eq(r.serverId, shared), eq(r.resolution, '5m')));
    // Closed buckets only, a minute of lateness allowed: 6 h, then hh:00 to hh:25.
    expect(five.length).toBe(6 * 12 + 5);
    const firstBucket = five.sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime())[0];
    expect(firstBucket).toMatchObject({ count: 5, cpuAvg: 2, cpuMax: 4, memoryAvg: 50, diskMax: 40, load5Avg: 0.5, load15Avg: 0.25 });
    const hourly = await db.select().from(r).where(and(eq(r.serverId, shared), eq(r.resolution, '1h')));
    expect(hourly.length).toBe(6);
    expect(hourly.every((h) => h.count === 60)).toBe(true);
    // Hourly percentages are whole (storage: SQLite keeps a whole REAL as a small integer): cpu 0..59 averages 29.5.
    const firstHour = hourly.sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime())[0];
    expect(firstHour).toMatchObject({ cpuAvg: 30, cpuMax: 59, memoryAvg: 50, diskAvg: 40, load5Avg: 0.5, load15Avg: 0.25, netRxAvg: 1000 });
    // Again: nothing new, nothing doubled.
    const again = await rollUpMetrics(new Date(now));
    expect(again).toEqual({ fiveMinute: 0, hourly: 0 });
    expect((await db.select().from(r).where(and(eq(r.serverId, shared), eq(r.resolution, '5m')))).length).toBe(77);
  });

  it('GET /servers/{id}/metrics picks raw, 5-minute or hourly points from the range', async () => {
    const hour = await api('GET', `/api/v1/servers/${shared}/metrics?from=${iso(now - HOUR)}&to=${iso(now)}`, { token: s.adminToken });
    expect(hour.status).toBe(200);
    expect(hour.body.resolution).toBe('raw');
    expect(hour.body.points).toHaveLength(59);
    expect(Object.keys(hour.body.points[0]).sort()).toEqual(['at', 'cpu', 'disk', 'load1', 'load15', 'load5', 'memory', 'netRx', 'netTx']);

    const day = await api('GET', `/api/v1/servers/${shared}/metrics?from=${iso(now - DAY)}&to=${iso(now)}`, { token: s.adminToken });
    expect(day.body.resolution).toBe('5m');
    // 77 rolled-up buckets plus the open one computed from raw samples.
    expect(day.body.points).toHaveLength(78);
    const times = day.body.points.map((p: { at: string }) => p.at);
    expect([...times].sort()).toEqual(times);

    const month = await api('GET', `/api/v1/servers/${shared}/metrics?from=${iso(now - 30 * DAY)}&to=${iso(now)}`, { token: s.adminToken });
    expect(month.body.resolution).toBe('1h');
    expect(month.body.points).toHaveLength(7); // 6 hourly buckets + the current hour from raw
    expect(month.body.points[0]).toMatchObject({ memory: 50, disk: 40, load5: 0.5 });
  });

  it('metrics: roles and input', async () => {
    const path = `/api/v1/servers/${shared}/metrics`;
    expect((await api('GET', path)).status).toBe(401);
    expect((await api('GET', path, { token: s.userToken })).status).toBe(200);
    expect((await api('GET', `/api/v1/servers/${hidden}/metrics`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/servers/${newId()}/metrics`, { token: s.adminToken })).status).toBe(404);
    const bad = await api('GET', `${path}?from=yesterday`, { token: s.adminToken });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.from).toBeDefined();
    const backwards = await api('GET', `${path}?from=${iso(now)}&to=${iso(now - HOUR)}`, { token: s.adminToken });
    expect(backwards.status).toBe(422);
  });

  it('prunes raw samples and rollups past their retention', async () => {
    await updateSettings(cliActor, { retention: { rawHours: 2 } });
    await pruneMonitoringData(new Date(now));
    const { db, t } = getDb();
    const raw = await db.select({ at: t.metricSamples.at }).from(t.metricSamples).where(eq(t.metricSamples.serverId, shared));
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.every((r) => r.at.getTime() >= now - 2 * HOUR)).toBe(true);
    // A 6-hour chart now reads 5-minute buckets, since raw samples that old are gone.
    const six = await api('GET', `/api/v1/servers/${shared}/metrics?from=${iso(now - 90 * MIN)}&to=${iso(now)}`, { token: s.adminToken });
    expect(six.body.resolution).toBe('raw');
    const old = await api('GET', `/api/v1/servers/${shared}/metrics?from=${iso(now - 5 * HOUR)}&to=${iso(now - 4 * HOUR)}`, { token: s.adminToken });
    expect(old.body.resolution).toBe('5m');
    expect(old.body.points.length).toBeGreaterThanOrEqual(12);
  });

  it('GET /fleet: admins see every server, users only those shared with them', async () => {
    const { db, t } = getDb();
    await db.update(t.servers).set({ status: 'up', lastSample: { at: iso(now), cpu: 12.5, memory: 40, disk: 70, load1: 0.5 } }).where(eq(t.servers.id, shared));
    const admin = await api('GET', '/api/v1/fleet?limit=500', { token: s.adminToken });
    expect(admin.status).toBe(200);
    expect(admin.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([shared, hidden]));
    const user = await api('GET', '/api/v1/fleet', { token: s.userToken });
    expect(user.body).toMatchObject({ items: [{ id: shared, status: 'up', glancesConfigured: false, sample: { cpu: 12.5 } }], nextCursor: null });
    expect((await api('GET', '/api/v1/fleet')).status).toBe(401);
    const page = await api('GET', '/api/v1/fleet?limit=1', { token: s.adminToken });
    expect(page.body.items).toHaveLength(1);
    const next = await api('GET', `/api/v1/fleet?limit=1&cursor=${page.body.nextCursor}`, { token: s.adminToken });
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    expect((await api('GET', '/api/v1/fleet?limit=0', { token: s.adminToken })).status).toBe(422);
  });
});
