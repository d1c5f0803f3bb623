import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireServerVisible } from '../access/rbac';
import { NotFoundError, parseInput } from '../errors';
import { getEffectiveSettings } from '../settings/service';
import { BUCKET_MS, bucketStart, pickResolution, rollupSamples, type MetricRollup, type Resolution, type RollupResolution } from './rollup';
import { metricsQuery, type MetricPointDto, type MetricsDto } from './schemas';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

/**
 * A server's history for a chart: the resolution follows the range (pickResolution), moved to a
 * coarser one when the range reaches past what the finer one keeps. Rollups cover closed buckets
 * only, so the newest minutes are rolled up from raw samples on the fly.
 */
export async function getServerMetrics(actor: Actor, serverId: string, query: unknown): Promise<MetricsDto> {
  const { from, to } = parseInput(metricsQuery, query);
  await requireServerVisible(actor, serverId);
  const { db, t } = getDb();
  const [server] = await db.select({ id: t.servers.id }).from(t.servers).where(eq(t.servers.id, serverId));
  if (!server) throw new NotFoundError('Server');
  const { retention } = await getEffectiveSettings();
  const resolution = effectiveResolution(from, to, Date.now(), retention);
  const points = resolution === 'raw' ? await rawPoints(serverId, from, to) : await rollupPoints(serverId, resolution, from, to);
  return { resolution, points };
}

export function effectiveResolution(from: Date, to: Date, now: number, retention: { rawHours: number; fiveMinuteDays: number }): Resolution {
  let r = pickResolution(from, to);
  if (r === 'raw' && from.getTime() < now - retention.rawHours * HOUR) r = '5m';
  if (r === '5m' && from.getTime() < now - retention.fiveMinuteDays * DAY) r = '1h';
  return r;
}

async function rawRows(serverId: string, from: Date, to: Date) {
  const { db, t } = getDb();
  const s = t.metricSamples;
  return db
    .select({ at: s.at, cpu: s.cpu, memory: s.memory, disk: s.disk, load1: s.load1, load5: s.load5, load15: s.load15, netRx: s.netRx, netTx: s.netTx })
    .from(s)
    .where(and(eq(s.serverId, serverId), gte(s.at, from), lte(s.at, to)))
    .orderBy(asc(s.at));
}

async function rawPoints(serverId: string, from: Date, to: Date): Promise<MetricPointDto[]> {
  return (await rawRows(serverId, from, to)).map((r) => ({ ...r, at: r.at.toISOString() }));
}

async function rollupPoints(serverId: string, resolution: RollupResolution, from: Date, to: Date): Promise<MetricPointDto[]> {
  const { db, t } = getDb();
  const r = t.metricRollups;
  const rows = await db
    .select()
    .from(r)
    .where(and(eq(r.serverId, serverId), eq(r.resolution, resolution), gte(r.bucketStart, bucketStart(from, resolution)), lte(r.bucketStart, to)))
    .orderBy(asc(r.bucketStart));
  const points = rows.map(fromRollup);
  // The buckets the roll-up job has not written yet (the newest), from raw samples.
  const last = rows.at(-1);
  const tailFrom = last ? new Date(last.bucketStart.getTime() + BUCKET_MS[resolution]) : bucketStart(from, resolution);
  if (tailFrom <= to) {
    const raw = await rawRows(serverId, tailFrom, to);
    const tail = rollupSamples(
      raw.map((p) => ({ ...p, cpu: p.cpu ?? 0, memory: p.memory ?? 0, load1: p.load1 ?? 0 })),
      resolution,
    );
    points.push(...tail.map(fromRollup));
  }
  return points;
}

type Averages = Pick<MetricRollup, 'bucketStart' | 'diskAvg' | 'load5Avg' | 'load15Avg' | 'netRxAvg' | 'netTxAvg'> & {
  cpuAvg: number | null;
  memoryAvg: number | null;
  load1Avg: number | null;
};

function fromRollup(r: Averages): MetricPointDto {
  return {
    at: r.bucketStart.toISOString(),
    cpu: r.cpuAvg,
    memory: r.memoryAvg,
    disk: r.diskAvg,
    load1: r.load1Avg,
    load5: r.load5Avg,
    load15: r.load15Avg,
    netRx: r.netRxAvg,
    netTx: r.netTxAvg,
  };
}
