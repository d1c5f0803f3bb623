import { and, eq, gte, inArray, isNull, lt, or, type SQL } from 'drizzle-orm';
import { getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireServerVisible, visibleServerIds } from '../access/rbac';
import { NotFoundError } from '../errors';
import type { ServerUptimeDto } from './schemas';

/**
 * Uptime per server, as Uptime Kuma users expect it: a percentage over 24 h and 30 days and a
 * strip of the last 24 hours. Gatehouse keeps no up/down history of its own, so it is derived:
 *
 * - The window is cut into slots: 5 minutes for the 24-hour figure, 1 hour for the 30-day figure
 *   and the strip. A slot is "observed" when a metric sample landed in it (a 5-minute or hourly
 *   rollup with samples, or the server's last sample time) or when a server-down incident
 *   overlaps it; otherwise it is unknown (not polled, monitoring off, before the server existed).
 * - Down time is the exact time covered by `server_down` incidents (from `pendingSince`, when
 *   the server was first seen unreachable, to `resolvedAt`, or now while open), silenced or not.
 * - Uptime = (observed time − down time) / observed time; null when nothing was observed.
 * - A strip slot is down when an incident overlaps it, else up when observed, else unknown.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const FIVE = 5 * MINUTE;

export type SlotState = 'up' | 'down' | 'unknown';
type Interval = [number, number];

export interface UptimeInput {
  now: number;
  /** Starts of 5-minute slots with samples. */
  fiveMinute: readonly number[];
  /** Starts of hourly slots with samples. */
  hourly: readonly number[];
  /** When the last sample arrived (covers the buckets not rolled up yet). */
  lastSeenAt: number | null;
  /** server_down incidents as [start, end) (end = now while open). */
  down: readonly Interval[];
}

const floorTo = (ms: number, size: number) => Math.floor(ms / size) * size;

/** Merged, sorted, clipped to [from, to). */
function clip(intervals: readonly Interval[], from: number, to: number): Interval[] {
  const sorted = intervals.map(([a, b]): Interval => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out.at(-1);
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else out.push([...iv]);
  }
  return out;
}

const overlapMs = (ivs: readonly Interval[], from: number, to: number) => ivs.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0);

/** Slot starts over [from, now]: `size`-aligned, the last slot holding `now`. */
function slots(now: number, count: number, size: number): number[] {
  const last = floorTo(now, size);
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * size);
}

function percent(input: UptimeInput, size: number, count: number, sampled: Set<number>): number | null {
  const starts = slots(input.now, count, size);
  const from = starts[0];
  const down = clip(input.down, from, input.now);
  let observed = 0;
  for (const start of starts) {
    const end = Math.min(start + size, input.now);
    if (end <= start) continue;
    if (sampled.has(start) || overlapMs(down, start, end) > 0) observed += end - start;
  }
  if (observed === 0) return null;
  const downMs = overlapMs(down, from, input.now);
  return Math.max(0, Math.min(100, ((observed - downMs) / observed) * 100));
}

/** Pure: the figures for one server from what the database holds. */
export function computeUptime(input: UptimeInput): Omit<ServerUptimeDto, 'serverId'> {
  const five = new Set(input.fiveMinute.map((s) => floorTo(s, FIVE)));
  const hourSet = new Set(input.hourly.map((s) => floorTo(s, HOUR)));
  for (const s of five) hourSet.add(floorTo(s, HOUR));
  if (input.lastSeenAt !== null) {
    five.add(floorTo(input.lastSeenAt, FIVE));
    hourSet.add(floorTo(input.lastSeenAt, HOUR));
  }
  const strip = slots(input.now, 24, HOUR).map((start) => {
    const end = Math.min(start + HOUR, input.now);
    const state: SlotState = overlapMs(input.down, start, end) > 0 ? 'down' : hourSet.has(start) ? 'up' : 'unknown';
    return { start: new Date(start).toISOString(), state };
  });
  return {
    day: percent(input, FIVE, DAY / FIVE, five),
    month: percent(input, HOUR, (30 * DAY) / HOUR, hourSet),
    strip,
  };
}

/** Reads rollups, last-seen times and server_down incidents for the given servers. */
async function uptimeFor(serverIds: string[], now: number): Promise<ServerUptimeDto[]> {
  if (serverIds.length === 0) return [];
  const { db, t } = getDb();
  const monthFrom = new Date(floorTo(now, HOUR) - 30 * DAY);
  const dayFrom = new Date(floorTo(now, FIVE) - DAY);
  const r = t.metricRollups;
  const a = t.alerts;
  const result: ServerUptimeDto[] = [];
  // Chunks keep the IN lists small on both dialects.
  for (let i = 0; i < serverIds.length; i += 200) {
    const ids = serverIds.slice(i, i + 200);
    const [servers, rollups, incidents] = await Promise.all([
      db.select({ id: t.servers.id, lastSeenAt: t.servers.lastSeenAt }).from(t.servers).where(inArray(t.servers.id, ids)),
      db
        .select({ serverId: r.serverId, resolution: r.resolution, bucketStart: r.bucketStart })
        .from(r)
        .where(and(inArray(r.serverId, ids), or(and(eq(r.resolution, '1h'), gte(r.bucketStart, monthFrom)), and(eq(r.resolution, '5m'), gte(r.bucketStart, new Date(Math.min(dayFrom.getTime(), floorTo(now, HOUR) - HOUR)))))!, gte(r.count, 1))),
      db
        .select({ serverId: a.serverId, pendingSince: a.pendingSince, resolvedAt: a.resolvedAt })
        .from(a)
        .where(and(inArray(a.serverId, ids), eq(a.kind, 'server_down'), lt(a.pendingSince, new Date(now)), or(isNull(a.resolvedAt), gte(a.resolvedAt, monthFrom)) as SQL)),
    ]);
    const per = new Map(servers.map((s) => [s.id, { five: [] as number[], hourly: [] as number[], down: [] as Interval[], lastSeenAt: s.lastSeenAt?.getTime() ?? null }]));
    for (const row of rollups) {
      const entry = per.get(row.serverId);
      if (!entry) continue;
      (row.resolution === '5m' ? entry.five : entry.hourly).push(row.bucketStart.getTime());
    }
    for (const row of incidents) {
      const entry = row.serverId ? per.get(row.serverId) : undefined;
      if (entry) entry.down.push([row.pendingSince.getTime(), row.resolvedAt?.getTime() ?? now]);
    }
    for (const id of ids) {
      const entry = per.get(id);
      if (!entry) continue;
      result.push({ serverId: id, ...computeUptime({ now, fiveMinute: entry.five, hourly: entry.hourly, lastSeenAt: entry.lastSeenAt, down: entry.down }) });
    }
  }
  return result;
}

/** Every server the actor may see (users: the ones shared with them). */
export async function listFleetUptime(actor: Actor, now = Date.now()): Promise<{ items: ServerUptimeDto[] }> {
  const visible = await visibleServerIds(actor);
  const { db, t } = getDb();
  const ids = visible ?? (await db.select({ id: t.servers.id }).from(t.servers)).map((s) => s.id);
  return { items: await uptimeFor(ids, now) };
}

/** One server; 404 when it does not exist or is not shared with a user. */
export async function getServerUptime(actor: Actor, serverId: string, now = Date.now()): Promise<ServerUptimeDto> {
  await requireServerVisible(actor, serverId);
  const [item] = await uptimeFor([serverId], now);
  if (!item) throw new NotFoundError('Server');
  return item;
}
