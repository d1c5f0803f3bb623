import { and, asc, eq, gte, inArray, lt, min, sql } from 'drizzle-orm';
import { getDb } from '../db';
import { getEffectiveSettings } from '../settings/service';
import { bucketStart, closedBefore, mergeRollups, rollupSamples, type MetricRollup, type RollupResolution } from './rollup';
import { readInternal, writeInternal } from '../settings/store';

/**
 * The roll-up job: raw samples → 5-minute buckets → hourly buckets, then pruning by the retention
 * settings. Progress is a watermark in the settings table, so each run reads only what is new.
 * Every query names its servers (batches of ids), so it runs on the (server, time) indexes instead
 * of scanning the whole table; rollups are upserts, so a repeated window does no harm.
 */

const WATERMARK_KEY = 'monitoring.rollup';
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const ID_BATCH = 200;
/** Samples are written up to a poll budget (≤ 15 s) plus a batch delay after their time. */
const LATE_MS = 60_000;
const WINDOW_MS: Record<RollupResolution, number> = { '5m': HOUR, '1h': 6 * HOUR };

interface Watermark {
  fiveMinuteUntil: number | null;
  hourUntil: number | null;
}

async function readWatermark(): Promise<Watermark> {
  return { fiveMinuteUntil: null, hourUntil: null, ...((await readInternal<Partial<Watermark>>(WATERMARK_KEY)) ?? {}) };
}

const saveWatermark = (w: { fiveMinuteUntil: number; hourUntil: number }) => writeInternal(WATERMARK_KEY, w);

function batches<T>(items: readonly T[], size = ID_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function collectRollups(serverId: string, rollups: MetricRollup[], into: Array<Record<string, unknown>>): void {
  for (const r of rollups) {
    // Storage (< 2 MB per server for a year): SQLite stores a REAL whose value is whole as a 1–4
    // byte integer instead of 8 bytes, so rounding saves ~6 bytes a value. Hourly percentages are
    // rounded to whole percent (their charts span days to a year, where 1 % is below a pixel);
    // 5-minute ones stay exact. Net rates are whole bytes per second at every resolution (a
    // fraction means nothing there). Loads keep their decimals: 0.4 vs 0 matters.
    const pct = r.resolution === '1h' ? whole : same;
    into.push({
      serverId, resolution: r.resolution, bucketStart: r.bucketStart, count: r.count, cpuAvg: pct(r.cpuAvg), cpuMax: pct(r.cpuMax), memoryAvg: pct(r.memoryAvg),
      memoryMax: pct(r.memoryMax), diskAvg: orNull(r.diskAvg, pct), diskMax: orNull(r.diskMax, pct), load1Avg: r.load1Avg, load1Max: r.load1Max, load5Avg: r.load5Avg,
      load15Avg: r.load15Avg, netRxAvg: orNull(r.netRxAvg, whole), netTxAvg: orNull(r.netTxAvg, whole),
    });
  }
}

const whole = (v: number) => Math.round(v);
const same = (v: number) => v;
const orNull = (v: number | null, f: (n: number) => number) => (v === null ? null : f(v));

async function writeRollups(rows: Array<Record<string, unknown>>) {
  const { db, t } = getDb();
  const r = t.metricRollups;
  const excluded = (col: string) => sql.raw(`excluded.${col}`);
  for (const chunk of batches(rows, 300)) {
    await db
      .insert(r)
      .values(chunk as (typeof r.$inferInsert)[])
      .onConflictDoUpdate({
        target: [r.serverId, r.resolution, r.bucketStart],
        set: {
          count: excluded('count'), cpuAvg: excluded('cpu_avg'), cpuMax: excluded('cpu_max'), memoryAvg: excluded('memory_avg'), memoryMax: excluded('memory_max'),
          diskAvg: excluded('disk_avg'), diskMax: excluded('disk_max'), load1Avg: excluded('load1_avg'), load1Max: excluded('load1_max'),
          load5Avg: excluded('load5_avg'), load15Avg: excluded('load15_avg'), netRxAvg: excluded('net_rx_avg'), netTxAvg: excluded('net_tx_avg'),
        },
      });
  }
}

/** Raw samples in [from, to) → 5-minute rollups, for the given servers. */
async function rollRaw(ids: string[], from: Date, to: Date): Promise<number> {
  const { db, t } = getDb();
  const s = t.metricSamples;
  const rows = await db
    .select({ serverId: s.serverId, at: s.at, cpu: s.cpu, memory: s.memory, disk: s.disk, load1: s.load1, load5: s.load5, load15: s.load15, netRx: s.netRx, netTx: s.netTx })
    .from(s)
    .where(and(inArray(s.serverId, ids), gte(s.at, from), lt(s.at, to)));
  const byServer = new Map<string, typeof rows>();
  for (const row of rows) (byServer.get(row.serverId) ?? byServer.set(row.serverId, []).get(row.serverId)!).push(row);
  const out: Array<Record<string, unknown>> = [];
  for (const [serverId, points] of byServer) {
    collectRollups(serverId, rollupSamples(points.map((p) => ({ ...p, cpu: p.cpu ?? 0, memory: p.memory ?? 0, load1: p.load1 ?? 0 })), '5m'), out);
  }
  await writeRollups(out);
  return out.length;
}

/** 5-minute rollups in [from, to) → hourly ones. */
async function rollFiveMinute(ids: string[], from: Date, to: Date): Promise<number> {
  const { db, t } = getDb();
  const r = t.metricRollups;
  const rows = await db
    .select()
    .from(r)
    .where(and(inArray(r.serverId, ids), eq(r.resolution, '5m'), gte(r.bucketStart, from), lt(r.bucketStart, to)))
    .orderBy(asc(r.bucketStart));
  const byServer = new Map<string, MetricRollup[]>();
  for (const row of rows) {
    const list = byServer.get(row.serverId) ?? byServer.set(row.serverId, []).get(row.serverId)!;
    list.push({ ...row, resolution: '5m', cpuAvg: row.cpuAvg ?? 0, cpuMax: row.cpuMax ?? 0, memoryAvg: row.memoryAvg ?? 0, memoryMax: row.memoryMax ?? 0, load1Avg: row.load1Avg ?? 0, load1Max: row.load1Max ?? 0 });
  }
  const out: Array<Record<string, unknown>> = [];
  for (const [serverId, fine] of byServer) collectRollups(serverId, mergeRollups(fine, '1h'), out);
  await writeRollups(out);
  return out.length;
}

async function earliestSample(): Promise<Date | null> {
  const { db, t } = getDb();
  const [row] = await db.select({ at: min(t.metricSamples.at) }).from(t.metricSamples);
  const at = row?.at as unknown;
  if (at === null || at === undefined) return null;
  return at instanceof Date ? at : new Date(typeof at === 'number' ? at : String(at));
}

export interface RollupRunStats {
  fiveMinute: number;
  hourly: number;
}

/** Rolls up every closed bucket not rolled up yet. `now` is injectable for tests. */
export async function rollUpMetrics(now = new Date()): Promise<RollupRunStats> {
  const { db, t } = getDb();
  const ids = (await db.select({ id: t.servers.id }).from(t.servers).orderBy(t.servers.id)).map((r) => r.id);
  const { retention } = await getEffectiveSettings();
  const saved = await readWatermark();
  const stats = { fiveMinute: 0, hourly: 0 };

  const target5 = closedBefore(new Date(now.getTime() - LATE_MS), '5m').getTime();
  let fiveStart = saved.fiveMinuteUntil;
  if (fiveStart === null) {
    // First run: start at the oldest raw sample still kept (older ones were never rolled up).
    const first = await earliestSample();
    const floor = now.getTime() - retention.rawHours * HOUR;
    fiveStart = first ? bucketStart(new Date(Math.max(first.getTime(), floor)), '5m').getTime() : target5;
  }
  // Hours start where the 5-minute buckets started, so a partial first hour is still rolled up.
  const wm = { fiveMinuteUntil: fiveStart, hourUntil: saved.hourUntil ?? bucketStart(new Date(fiveStart), '1h').getTime() };
  while (wm.fiveMinuteUntil < target5) {
    const from = new Date(wm.fiveMinuteUntil);
    const to: Date = new Date(Math.min(target5, wm.fiveMinuteUntil + WINDOW_MS['5m']));
    for (const batch of batches(ids)) stats.fiveMinute += await rollRaw(batch, from, to);
    wm.fiveMinuteUntil = to.getTime();
    await saveWatermark(wm);
  }

  const targetH = bucketStart(new Date(wm.fiveMinuteUntil), '1h').getTime();
  while (wm.hourUntil < targetH) {
    const from = new Date(wm.hourUntil);
    const to: Date = new Date(Math.min(targetH, wm.hourUntil + WINDOW_MS['1h']));
    for (const batch of batches(ids)) stats.hourly += await rollFiveMinute(batch, from, to);
    wm.hourUntil = to.getTime();
    await saveWatermark(wm);
  }
  await saveWatermark(wm);
  return stats;
}

/** Deletes samples, rollups and DNS check history past their retention. */
export async function pruneMonitoringData(now = new Date()): Promise<void> {
  const { db, t } = getDb();
  const { retention } = await getEffectiveSettings();
  const ids = (await db.select({ id: t.servers.id }).from(t.servers)).map((r) => r.id);
  const rawCut = new Date(now.getTime() - retention.rawHours * HOUR);
  const fiveCut = new Date(now.getTime() - retention.fiveMinuteDays * DAY);
  const hourCut = new Date(now.getTime() - retention.hourlyDays * DAY);
  const r = t.metricRollups;
  for (const batch of batches(ids)) {
    await db.delete(t.metricSamples).where(and(inArray(t.metricSamples.serverId, batch), lt(t.metricSamples.at, rawCut)));
    await db.delete(r).where(and(inArray(r.serverId, batch), eq(r.resolution, '5m'), lt(r.bucketStart, fiveCut)));
    await db.delete(r).where(and(inArray(r.serverId, batch), eq(r.resolution, '1h'), lt(r.bucketStart, hourCut)));
  }
  const domainIds = (await db.select({ id: t.domains.id }).from(t.domains)).map((d) => d.id);
  const dnsCut = new Date(now.getTime() - retention.dnsCheckDays * DAY);
  for (const batch of batches(domainIds)) {
    await db.delete(t.dnsChecks).where(and(inArray(t.dnsChecks.domainId, batch), lt(t.dnsChecks.at, dnsCut)));
  }
}
