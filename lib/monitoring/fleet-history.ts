/**
 * The fleet's history at a glance: per metric (CPU, memory, disk) the N servers with the highest
 * average over a window, read from the roll-ups (5-minute buckets for 24 h, hourly beyond), so a
 * thousand servers cost three grouped queries. Users see only the servers shared with them.
 */
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { getDb } from '../db';
import type { Actor } from '../access/actor';
import { visibleServerIds } from '../access/rbac';
import { parseInput } from '../errors';
import { bucketStart, type RollupResolution } from './rollup';
import { hasAllTags } from '../servers/tags';
import { fleetHistoryQuery, type BusiestServer, type FleetHistoryDto, type FleetWindow } from './schemas';

const HOUR = 60 * 60_000;
export const WINDOW_MS: Record<FleetWindow, number> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };
const WINDOW_RESOLUTION: Record<FleetWindow, RollupResolution> = { '24h': '5m', '7d': '1h', '30d': '1h' };

type Metric = 'cpu' | 'memory' | 'disk';

async function busiest(metric: Metric, resolution: RollupResolution, from: Date, limit: number, visible: string[] | null, tags: string[]): Promise<BusiestServer[]> {
  const { db, t } = getDb();
  const r = t.metricRollups;
  const avgCol = { cpu: r.cpuAvg, memory: r.memoryAvg, disk: r.diskAvg }[metric];
  const maxCol = { cpu: r.cpuMax, memory: r.memoryMax, disk: r.diskMax }[metric];
  // Buckets weighted by their sample count; buckets without a value for this metric left out.
  const avg = sql<number>`sum(${avgCol} * ${r.count}) / sum(${r.count})`;
  const rows = await db
    .select({ serverId: r.serverId, name: t.servers.name, avg, max: sql<number | null>`max(${maxCol})` })
    .from(r)
    .innerJoin(t.servers, eq(t.servers.id, r.serverId))
    .where(and(eq(r.resolution, resolution), gte(r.bucketStart, from), sql`${avgCol} is not null`, visible ? inArray(r.serverId, visible) : undefined, hasAllTags(t.servers.tags, tags)))
    .groupBy(r.serverId, t.servers.name)
    .orderBy(desc(avg), t.servers.name)
    .limit(limit);
  const round = (v: unknown) => Math.round(Number(v) * 10) / 10;
  return rows.map((x) => ({ serverId: x.serverId, name: x.name, avg: round(x.avg), max: x.max === null ? null : round(x.max) }));
}

export async function getFleetHistory(actor: Actor, query: unknown, now = new Date()): Promise<FleetHistoryDto> {
  const { window, limit, tag } = parseInput(fleetHistoryQuery, query ?? {});
  const resolution = WINDOW_RESOLUTION[window];
  const from = bucketStart(new Date(now.getTime() - WINDOW_MS[window]), resolution);
  const visible = await visibleServerIds(actor);
  const base = { window, resolution, from: from.toISOString(), to: now.toISOString() };
  if (visible && visible.length === 0) return { ...base, cpu: [], memory: [], disk: [] };
  const [cpu, memory, disk] = await Promise.all((['cpu', 'memory', 'disk'] as const).map((m) => busiest(m, resolution, from, limit, visible, tag)));
  return { ...base, cpu, memory, disk };
}
