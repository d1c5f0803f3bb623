import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { api } from '../support/api';
import { getDb, newId } from '@/lib/db';
import { cliActor } from '@/lib/access/actor';
import { rollUpMetrics } from '@/lib/monitoring/retention';
import { computeUptime, getServerUptime, listFleetUptime } from '@/lib/monitoring/uptime';

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

async function insertSamples(serverId: string, from: number, to: number) {
  const { db, t } = getDb();
  const rows = [];
  for (let at = from; at < to; at += MIN) rows.push({ serverId, at: new Date(at), cpu: 10, memory: 50, swap: 0, disk: 40, load1: 1, load5: 0.5, load15: 0.25, netRx: 1, netTx: 1 });
  for (let i = 0; i < rows.length; i += 500) await db.insert(t.metricSamples).values(rows.slice(i, i + 500));
}

async function insertDown(serverId: string, from: number, to: number | null) {
  const { db, t } = getDb();
  await db.insert(t.alerts).values({
    id: newId(), kind: 'server_down', severity: 'critical', key: `server_down:server:${serverId}`, subjectType: 'server', subjectId: serverId, subjectName: 'x', serverId,
    state: to === null ? 'firing' : 'resolved', pendingSince: new Date(from), startedAt: new Date(from), resolvedAt: to === null ? null : new Date(to),
  });
}

describe('computeUptime (pure)', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0, 0);
  it('is null with nothing observed, and strips of unknown', () => {
    const u = computeUptime({ now, fiveMinute: [], hourly: [], lastSeenAt: null, down: [] });
    expect(u.day).toBeNull();
    expect(u.month).toBeNull();
    expect(u.strip).toHaveLength(24);
    expect(u.strip.every((s) => s.state === 'unknown')).toBe(true);
  });
  it('counts exact down time against observed slots', () => {
    const hours = Array.from({ length: 24 }, (_, i) => now - (i + 1) * HOUR);
    const fives = Array.from({ length: 288 }, (_, i) => now - (i + 1) * 5 * MIN);
    const u = computeUptime({ now, fiveMinute: fives, hourly: hours, lastSeenAt: null, down: [[now - 2 * HOUR, now - 2 * HOUR + 12 * MIN]] });
    // The 24-hour window is 287 closed 5-minute slots plus the current one (empty at hh:00).
    expect(u.day).toBeCloseTo(100 - (12 / (287 * 5)) * 100, 6);
    expect(u.month).toBeCloseTo(100 - (12 / (24 * 60)) * 100, 6);
    expect(u.strip.filter((s) => s.state === 'down')).toHaveLength(1);
    expect(u.strip.at(-3)?.state).toBe('down');
  });
});

describe.each(dialects)('server uptime from rollups and server-down incidents on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let steady: string;
  let flaky: string;
  let hidden: string;
  let silent: string;
  const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * MIN;

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    steady = await makeServer(s.user.id);
    flaky = await makeServer(s.user.id);
    hidden = await makeServer();
    silent = await makeServer(s.user.id);
    // Samples over the last 6 hours for steady and flaky; flaky was down 30 minutes 3 hours ago.
    await insertSamples(steady, now - 6 * HOUR, now - MIN);
    await insertSamples(flaky, now - 6 * HOUR, now - 3 * HOUR);
    await insertSamples(flaky, now - 3 * HOUR + 30 * MIN, now - MIN);
    await insertSamples(hidden, now - HOUR, now - MIN);
    await insertDown(flaky, now - 3 * HOUR, now - 3 * HOUR + 30 * MIN);
    // An open incident on a server with no samples: observed as down for its whole length.
    await insertDown(silent, now - 20 * MIN, null);
    await rollUpMetrics(new Date(now));
  });
  afterAll(async () => tdb?.close());

  it('gives 100 % for a server sampled throughout and null where it was not observed', async () => {
    const u = await getServerUptime(cliActor, steady, now);
    expect(u.day).toBeCloseTo(100, 6);
    expect(u.month).toBeCloseTo(100, 6);
    const states = u.strip.map((x) => x.state);
    // 6 sampled hours plus the current one (rolled up to hh:25); the rest unknown.
    expect(states.slice(-7).every((x) => x === 'up')).toBe(true);
    expect(states.slice(0, -7).every((x) => x === 'unknown')).toBe(true);
  });

  it('subtracts the down time of a server-down incident and marks its hour down', async () => {
    const u = await getServerUptime(cliActor, flaky, now);
    // Observed: the 5-minute slots from 6 h ago to the last rolled-up one (hh:20–hh:25), the 30 down minutes included.
    const observed = 6 * 60 - 5;
    expect(u.day).toBeCloseTo(((observed - 30) / observed) * 100, 4);
    expect(u.month).not.toBeNull();
    expect(u.month!).toBeLessThan(100);
    expect(u.strip.filter((x) => x.state === 'down').map((x) => x.start)).toEqual([new Date(now - 30 * MIN - 3 * HOUR).toISOString()]);
  });

  it('an open incident with no samples is 0 % and down', async () => {
    const u = await getServerUptime(cliActor, silent, now);
    expect(u.day).toBe(0);
    expect(u.strip.at(-1)?.state).toBe('down');
  });

  it('lists only what the actor may see; GET /fleet/uptime and /servers/{id}/uptime', async () => {
    const all = await listFleetUptime(cliActor, now);
    expect(all.items.map((i) => i.serverId).sort()).toEqual([steady, flaky, hidden, silent].sort());
    const res = await api('GET', '/api/v1/fleet/uptime', { token: s.userToken });
    expect(res.status).toBe(200);
    const ids = (res.body as { items: { serverId: string }[] }).items.map((i) => i.serverId).sort();
    expect(ids).toEqual([steady, flaky, silent].sort());
    expect((await api('GET', `/api/v1/servers/${hidden}/uptime`, { token: s.userToken })).status).toBe(404);
    const one = await api('GET', `/api/v1/servers/${steady}/uptime`, { token: s.userToken });
    expect(one.status).toBe(200);
    expect((one.body as { strip: unknown[] }).strip).toHaveLength(24);
  });
});
