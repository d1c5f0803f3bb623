/**
 * Bounded history: raw samples are kept for a short window and folded into 5-minute and 1-hour
 * buckets (10,000 servers at one sample a minute would be 1.5 GB a day raw, PERFORMANCE.md).
 * Pure functions; the scheduler's roll-up job reads, calls these, writes and prunes.
 */

export type Resolution = 'raw' | '5m' | '1h';
export type RollupResolution = Exclude<Resolution, 'raw'>;

export const BUCKET_MS: Record<RollupResolution, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/** Chart ranges up to this long read raw samples (120 points at one a minute). */
export const RAW_MAX_SPAN_MS = 2 * 60 * 60_000;
/** Up to this long, 5-minute buckets (864 points for 3 days); beyond, hourly (720 for 30 days). */
export const FIVE_MIN_MAX_SPAN_MS = 3 * 24 * 60 * 60_000;

/** The fields of a sample that history keeps. */
export interface MetricPoint {
  at: Date;
  cpu: number;
  memory: number;
  disk: number | null;
  load1: number;
  /** Optional: older callers and tests chart load1 only. */
  load5?: number | null;
  load15?: number | null;
  netRx: number | null;
  netTx: number | null;
}

export interface MetricRollup {
  resolution: RollupResolution;
  bucketStart: Date;
  /** Raw samples behind this bucket; weights the bucket when buckets are merged. */
  count: number;
  cpuAvg: number;
  cpuMax: number;
  memoryAvg: number;
  memoryMax: number;
  diskAvg: number | null;
  diskMax: number | null;
  load1Avg: number;
  load1Max: number;
  load5Avg: number | null;
  load15Avg: number | null;
  netRxAvg: number | null;
  netTxAvg: number | null;
}

/** Start of the UTC-aligned bucket holding `at` (hours are aligned to UTC, not local time). */
export function bucketStart(at: Date, resolution: RollupResolution): Date {
  const size = BUCKET_MS[resolution];
  return new Date(Math.floor(at.getTime() / size) * size);
}

/** Buckets starting before this are complete at `now` and safe to roll up for good. */
export function closedBefore(now: Date, resolution: RollupResolution): Date {
  return bucketStart(now, resolution);
}

export function pickResolution(from: Date, to: Date): Resolution {
  const span = to.getTime() - from.getTime();
  if (span <= RAW_MAX_SPAN_MS) return 'raw';
  if (span <= FIVE_MIN_MAX_SPAN_MS) return '5m';
  return '1h';
}

/** Running mean/max of one metric, skipping missing values. */
class Acc {
  sum = 0;
  weight = 0;
  max = -Infinity;

  add(value: number | null | undefined, weight = 1, max = value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    this.sum += value * weight;
    this.weight += weight;
    if (max !== null && max !== undefined && max > this.max) this.max = max;
  }

  get avg(): number | null {
    return this.weight ? this.sum / this.weight : null;
  }

  get top(): number | null {
    return this.weight ? this.max : null;
  }
}

interface Bucket {
  count: number;
  cpu: Acc;
  memory: Acc;
  disk: Acc;
  load1: Acc;
  load5: Acc;
  load15: Acc;
  netRx: Acc;
  netTx: Acc;
}

function newBucket(): Bucket {
  return { count: 0, cpu: new Acc(), memory: new Acc(), disk: new Acc(), load1: new Acc(), load5: new Acc(), load15: new Acc(), netRx: new Acc(), netTx: new Acc() };
}

function finish(resolution: RollupResolution, start: number, b: Bucket): MetricRollup {
  return {
    resolution,
    bucketStart: new Date(start),
    count: b.count,
    cpuAvg: b.cpu.avg ?? 0,
    cpuMax: b.cpu.top ?? 0,
    memoryAvg: b.memory.avg ?? 0,
    memoryMax: b.memory.top ?? 0,
    diskAvg: b.disk.avg,
    diskMax: b.disk.top,
    load1Avg: b.load1.avg ?? 0,
    load1Max: b.load1.top ?? 0,
    load5Avg: b.load5.avg,
    load15Avg: b.load15.avg,
    netRxAvg: b.netRx.avg,
    netTxAvg: b.netTx.avg,
  };
}

function group<T>(items: readonly T[], at: (t: T) => Date, resolution: RollupResolution, add: (b: Bucket, t: T) => void) {
  const buckets = new Map<number, Bucket>();
  for (const item of items) {
    const start = bucketStart(at(item), resolution).getTime();
    let b = buckets.get(start);
    if (!b) buckets.set(start, (b = newBucket()));
    add(b, item);
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([start, b]) => finish(resolution, start, b));
}

/** Raw samples (one server, any order) → one rollup per bucket, oldest first. */
export function rollupSamples(points: readonly MetricPoint[], resolution: RollupResolution): MetricRollup[] {
  return group(points, (p) => p.at, resolution, (b, p) => {
    b.count++;
    b.cpu.add(p.cpu);
    b.memory.add(p.memory);
    b.disk.add(p.disk);
    b.load1.add(p.load1);
    b.load5.add(p.load5);
    b.load15.add(p.load15);
    b.netRx.add(p.netRx);
    b.netTx.add(p.netTx);
  });
}

/**
 * Finer rollups → coarser ones (5m → 1h), so hourly history can be built after raw rows are
 * pruned. Averages are weighted by sample count; maxima stay maxima.
 */
export function mergeRollups(rollups: readonly MetricRollup[], resolution: RollupResolution): MetricRollup[] {
  return group(rollups, (r) => r.bucketStart, resolution, (b, r) => {
    b.count += r.count;
    b.cpu.add(r.cpuAvg, r.count, r.cpuMax);
    b.memory.add(r.memoryAvg, r.count, r.memoryMax);
    b.disk.add(r.diskAvg, r.count, r.diskMax);
    b.load1.add(r.load1Avg, r.count, r.load1Max);
    b.load5.add(r.load5Avg, r.count);
    b.load15.add(r.load15Avg, r.count);
    b.netRx.add(r.netRxAvg, r.count);
    b.netTx.add(r.netTxAvg, r.count);
  });
}
