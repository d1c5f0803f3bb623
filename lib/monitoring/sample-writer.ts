import { eq, inArray, sql } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { publishMany, type PublishInput } from '../events/bus';
import type { GlancesSample } from '../glances/client';
import type { HealthState } from './health-state';
import { prepareLiveStateWriters } from '../servers/store';
import { plural } from '../errors';

/**
 * Persists poll outcomes in batches: one transaction writes the metric_samples rows (multi-row
 * inserts), each server's latest state and the `metrics` / `server.status` events, which are
 * delivered once it commits. A batch is written when it is full or a short delay after its first
 * outcome, so the database sees a few transactions per cycle instead of one per server, and the
 * dashboard still gets samples within seconds.
 */

export interface PollOutcome {
  serverId: string;
  health: HealthState & { changed: boolean };
  sample?: GlancesSample;
  /** Safe text for users (GlancesError.message): never an address or a raw library error. */
  error?: string;
}

/** What servers.lastSample holds and the fleet grid shows: the latest normalised sample. */
export interface LastSample {
  at: string;
  apiVersion: number;
  cpu: number;
  memory: number;
  swap: number;
  disk: number | null;
  disks: Array<{ mount: string; percent: number }>;
  load1: number;
  load5: number;
  load15: number;
  netRx: number | null;
  netTx: number | null;
  missing: string[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const orNull = <T>(v: T | null | undefined, f: (x: T) => T) => (v === null || v === undefined ? null : f(v));

export function toLastSample(s: GlancesSample): LastSample {
  return {
    at: s.at.toISOString(),
    apiVersion: s.apiVersion,
    cpu: round1(s.cpu),
    memory: round1(s.memory),
    swap: round1(s.swap),
    disk: orNull(s.disk, round1),
    disks: s.disks.map((d) => ({ mount: d.mount, percent: round1(d.percent) })),
    load1: round2(s.load1),
    load5: round2(s.load5),
    load15: round2(s.load15),
    netRx: s.netRx,
    netTx: s.netTx,
    missing: s.missing,
  };
}

// 11 columns a row: 500 rows stay far below SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK = 500;

export async function writeOutcomes(batch: readonly PollOutcome[]): Promise<void> {
  if (!batch.length) return;
  await atomically(async (db) => {
    const { t } = getDb();
    // A server deleted mid-cycle must not fail the batch on its foreign key.
    const ids = [...new Set(batch.map((o) => o.serverId))];
    const alive = new Set((await db.select({ id: t.servers.id }).from(t.servers).where(inArray(t.servers.id, ids))).map((r) => r.id));
    const live = batch.filter((o) => alive.has(o.serverId));

    // Raw values stay exact, except net rates: whole bytes per second (a fraction means nothing
    // there), which SQLite stores as a small integer instead of an 8-byte REAL.
    const rows = live.flatMap((o) =>
      o.sample
        ? [{
            serverId: o.serverId, at: o.sample.at, cpu: o.sample.cpu, memory: o.sample.memory, swap: o.sample.swap, disk: o.sample.disk,
            load1: o.sample.load1, load5: o.sample.load5, load15: o.sample.load15, netRx: orNull(o.sample.netRx, Math.round), netTx: orNull(o.sample.netTx, Math.round),
          }]
        : [],
    );
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insert(t.metricSamples).values(rows.slice(i, i + INSERT_CHUNK));

    const { polled, failed } = prepareLiveStateWriters(db);

    const events: PublishInput[] = [];
    for (const o of live) {
      const state = { id: o.serverId, status: o.health.status, failures: o.health.failures, successes: o.health.successes };
      if (o.sample) {
        const last = toLastSample(o.sample);
        await polled.execute({ ...state, version: o.sample.apiVersion, sample: last, at: o.sample.at });
        events.push({
          type: 'metrics',
          serverId: o.serverId,
          // CONTRACT.md's fields, plus load5/load15 so a grid can show all three without a refetch.
          data: { serverId: o.serverId, at: last.at, cpu: last.cpu, memory: last.memory, disk: last.disk, load1: last.load1, load5: last.load5, load15: last.load15 },
        });
      } else {
        await failed.execute({ ...state, error: o.error ?? 'Polling failed.' });
      }
      if (o.health.changed) events.push({ type: 'server.status', serverId: o.serverId, data: { serverId: o.serverId, status: o.health.status } });
    }
    // Chunked like the samples: 7 columns an event row.
    for (let i = 0; i < events.length; i += INSERT_CHUNK) await publishMany(events.slice(i, i + INSERT_CHUNK));
  });
}

/**
 * Collects outcomes and writes them in batches (see above). `close` writes what is left. A batch
 * whose transaction fails (the database is down, its disk full) is not retried, since a commit
 * whose answer was lost would store its samples twice; it is logged and counted in `unsaved`,
 * and the next cycle's samples stand in for it.
 */
export class SampleWriter {
  /** Outcomes whose batch could not be written. */
  unsaved = 0;
  private pending: PollOutcome[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: { maxBatch: number; maxDelayMs: number; onError?: (err: unknown) => void } = { maxBatch: 500, maxDelayMs: 2000 },
  ) {}

  add(outcome: PollOutcome): void {
    this.pending.push(outcome);
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.maxDelayMs);
  }

  /** Writes the pending outcomes; flushes run one after another, never concurrently. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return this.chain;
    this.chain = this.chain.then(() =>
      writeOutcomes(batch).catch((err) => {
        this.unsaved += batch.length;
        (this.options.onError ?? ((e) => console.error(`[gatehouse] monitoring: ${plural(batch.length, 'poll result')} not saved:`, (e as Error).message)))(err);
      }),
    );
    return this.chain;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
