import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { getDb } from '../db';
import { config } from '../config';
import { balancePollLeases, ensureLeaseRows, heldServerIds, leaseMsFor, releasePollLeases } from './poll-leases';
import { open } from '../crypto/secret-box';
import { getEffectiveSettings } from '../settings/service';
import { GlancesClient, GlancesError, type GlancesApiVersion, type GlancesTarget } from '../glances/client';
import { nextStatus, type HealthStatus } from './health-state';
import { pollFleet, type CycleStats } from './poller';
import { SampleWriter } from './sample-writer';
import { recordPollCycle } from '../metrics';

/**
 * The monitoring poller as the scheduler runs it: each cycle reads the monitored servers, polls
 * their Glances through one long-lived client (kept on globalThis, so its keep-alive sockets and
 * detected API versions survive hot reloads), applies the up/down hysteresis and hands outcomes to
 * the batch writer.
 */

export interface MonitoredServer {
  id: string;
  glancesUrl: string;
  glancesUsername: string | null;
  glancesPasswordEnc: string | null;
  glancesApiVersion: number | null;
  status: HealthStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** Polls in flight at once (each poll sends its 4 requests one after another). */
export const POLL_CONCURRENCY = 100;
/** One request; a dead host should not hold its slot for long. */
const REQUEST_TIMEOUT_MS = 5_000;

interface PollerState {
  client: GlancesClient;
  cycle: number;
  running: Promise<CycleStats | null> | null;
  lastStartAt: number;
  /** Start of the wall-clock period whose cycle ran last. */
  lastPeriod: number;
  lastStats: CycleStats | null;
  /** PostgreSQL: the servers this instance holds a lease on (null until the first balancing step). */
  held: Set<string> | null;
  lastBalanceAt: number;
  lastEnsureAt: number;
  balancing: Promise<void> | null;
  /** Polls of servers claimed between cycles (taken over from a dead or leaving instance). */
  extra: Set<Promise<unknown>>;
  /** Shutdown: hold nothing (a balancing step still in flight gives back what it claimed). */
  stopped?: boolean;
}

const g = globalThis as unknown as { __gatehouseMonitor?: PollerState };

function state(): PollerState {
  g.__gatehouseMonitor ??= {
    client: new GlancesClient({ timeoutMs: REQUEST_TIMEOUT_MS, connectTimeoutMs: 3_000 }),
    cycle: 0,
    running: null,
    lastStartAt: 0,
    lastPeriod: 0,
    lastStats: null,
    held: null,
    lastBalanceAt: 0,
    lastEnsureAt: 0,
    balancing: null,
    extra: new Set(),
  };
  return g.__gatehouseMonitor;
}

/** Servers with monitoring on and a Glances URL (only these ids, if given). */
export async function loadMonitoredServers(ids?: readonly string[]): Promise<MonitoredServer[]> {
  if (ids && ids.length === 0) return [];
  const { db, t } = getDb();
  const rows = await db
    .select({
      id: t.servers.id,
      glancesUrl: t.servers.glancesUrl,
      glancesUsername: t.servers.glancesUsername,
      glancesPasswordEnc: t.servers.glancesPasswordEnc,
      glancesApiVersion: t.servers.glancesApiVersion,
      status: t.servers.status,
      consecutiveFailures: t.servers.consecutiveFailures,
      consecutiveSuccesses: t.servers.consecutiveSuccesses,
    })
    .from(t.servers)
    .where(and(eq(t.servers.monitoringEnabled, true), isNotNull(t.servers.glancesUrl), ids ? inArray(t.servers.id, [...ids]) : undefined))
    .orderBy(t.servers.id);
  return rows.filter((r): r is MonitoredServer => Boolean(r.glancesUrl?.trim()));
}

/** The Glances target of a server, its password opened (sealed at rest). */
export function targetOf(s: Pick<MonitoredServer, 'glancesUrl' | 'glancesUsername' | 'glancesPasswordEnc'>): GlancesTarget {
  return { baseUrl: s.glancesUrl, username: s.glancesUsername, password: s.glancesPasswordEnc ? open(s.glancesPasswordEnc) : null };
}

export interface CycleOptions {
  /** Start offsets are spread over this (default: 80 % of the interval, so a cycle ends before the next is due). */
  spreadMs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  client?: GlancesClient;
  servers?: MonitoredServer[];
  /** Skips a server at its slot when this says no (its lease moved away). */
  shouldPoll?: (s: MonitoredServer) => boolean;
  /**
   * Wall-clock slots: each server starts at `periodStart` + its own fixed fraction of the spread
   * (from its id), whichever instance polls it, so its polls stay one interval apart when its
   * share moves or grows. Without it, starts are spread evenly over the list.
   */
  periodStart?: number;
}

/** A server's fixed place in the spread, in [0, 1): FNV-1a of its id. */
export function slotFraction(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

export interface MonitoringCycleStats extends CycleStats {
  /** Poll results that could not be stored (their batch's transaction failed; none of it was kept). */
  unsaved: number;
}

/** One polling cycle over every monitored server; returns its stats. */
export async function runMonitoringCycle(options: CycleOptions = {}): Promise<MonitoringCycleStats> {
  const st = state();
  const client = options.client ?? st.client;
  const settings = (await getEffectiveSettings()).monitoring;
  const intervalMs = settings.intervalSeconds * 1000;
  const thresholds = { downAfter: settings.downAfterFailures, upAfter: settings.upAfterSuccesses };
  let servers = options.servers ?? (await loadMonitoredServers());
  const spreadMs = options.spreadMs ?? Math.floor(intervalMs * 0.8);
  let offsets: number[] | undefined;
  if (options.periodStart !== undefined) {
    const now = Date.now();
    const placed = servers
      .map((s) => ({ s, at: Math.max(0, options.periodStart! + Math.floor(slotFraction(s.id) * spreadMs) - now) }))
      .sort((a, b) => a.at - b.at);
    servers = placed.map((p) => p.s);
    offsets = placed.map((p) => p.at);
  }
  const writer = new SampleWriter({ maxBatch: 500, maxDelayMs: 2_000 });
  const cycle = st.cycle++;

  const stats = await pollFleet(servers, {
    concurrency: options.concurrency ?? POLL_CONCURRENCY,
    intervalMs,
    spreadMs,
    offsets,
    // The whole poll (4 requests) must finish well inside the interval.
    timeoutMs: Math.min(15_000, Math.max(2_000, Math.floor(intervalMs / 2))),
    signal: options.signal,
    cycle,
    shouldPoll: options.shouldPoll,
    poll: (s, ctx) => {
      const target = targetOf(s);
      if (s.glancesApiVersion === 3 || s.glancesApiVersion === 4) {
        if (client.cachedVersion(target) === undefined) client.assumeVersion(target, s.glancesApiVersion as GlancesApiVersion);
      }
      return client.poll(target, { signal: ctx.signal });
    },
    onSample: (s, sample) =>
      writer.add({ serverId: s.id, sample, health: nextStatus(healthOf(s), true, thresholds) }),
    onError: (s, err) =>
      writer.add({ serverId: s.id, error: safeMessage(err), health: nextStatus(healthOf(s), false, thresholds) }),
  });
  await writer.close();
  st.lastStats = stats;
  recordPollCycle({ ...stats, unsaved: writer.unsaved });
  return { ...stats, unsaved: writer.unsaved };
}

function healthOf(s: MonitoredServer) {
  return { status: s.status, failures: s.consecutiveFailures, successes: s.consecutiveSuccesses };
}

/** GlancesError messages are written for users; anything else is summarised, never quoted. */
function safeMessage(err: unknown): string {
  return err instanceof GlancesError ? err.message : 'Polling Glances failed.';
}

/**
 * The scheduler's tick (every second): starts a cycle when the interval has passed since the last
 * one started and none is running. Cycles never overlap; one that runs long delays the next. The
 * cycle runs in the background so the tick returns at once. On PostgreSQL each instance polls only
 * the servers it holds a lease on (lib/monitoring/poll-leases.ts), balancing every BALANCE_MS;
 * servers it takes over between cycles are polled at once, so none waits a whole cycle more.
 */
export async function monitoringTick(now = Date.now()): Promise<void> {
  const st = state();
  const { intervalSeconds } = (await getEffectiveSettings()).monitoring;
  const shared = getDb().dialect === 'postgres';
  if (st.stopped) return;
  if (shared && !st.balancing && now - st.lastBalanceAt >= BALANCE_MS) {
    st.lastBalanceAt = now;
    st.balancing = balance(intervalSeconds * 1000, now)
      .catch((err) => console.error('[gatehouse] balancing poll leases failed:', (err as Error).message))
      .finally(() => {
        st.balancing = null;
      });
    // The first cycle waits for the first share.
    if (st.held === null) await st.balancing;
  }
  if (st.running) return;
  // One cycle per wall-clock period of the interval (the same periods on every instance), and
  // never two within half an interval.
  const intervalMs = intervalSeconds * 1000;
  const period = Math.floor(now / intervalMs) * intervalMs;
  if (period === st.lastPeriod || Math.abs(now - st.lastStartAt) <= intervalMs / 2) return;
  if (shared && st.held === null) return;
  st.lastStartAt = now;
  st.lastPeriod = period;
  st.running = (async () => {
    const servers = shared ? await loadMonitoredServers([...st.held!].sort()) : undefined;
    // The period's start on this process's clock (`now` may be a test's).
    const periodStart = Date.now() - (now - period);
    return runMonitoringCycle({ servers, periodStart, shouldPoll: shared ? (s) => st.held?.has(s.id) ?? false : undefined });
  })()
    .catch((err) => {
      console.error('[gatehouse] monitoring cycle failed:', (err as Error).message);
      return null;
    })
    .finally(() => {
      st.running = null;
    });
}

/** Balancing steps this often; a lease lasts leaseMsFor(interval), renewed past its half. */
const BALANCE_MS = 2_000;
const ENSURE_ROWS_MS = 10_000;

async function balance(intervalMs: number, now: number): Promise<void> {
  const st = state();
  const me = config().INSTANCE_ID;
  if (now - st.lastEnsureAt >= ENSURE_ROWS_MS) {
    await ensureLeaseRows();
    st.lastEnsureAt = now;
  }
  const result = await balancePollLeases(me, leaseMsFor(intervalMs));
  if (st.stopped) {
    await releasePollLeases(me);
    return;
  }
  const first = st.held === null;
  st.held = await heldServerIds(me);
  // Taken over between cycles (not on the first step: the first cycle starts right away).
  const fresh = first ? [] : result.claimed.filter((id) => st.held!.has(id));
  if (fresh.length && st.lastStartAt > 0) {
    const run = loadMonitoredServers(fresh)
      .then((servers) => runMonitoringCycle({ servers, spreadMs: 0, shouldPoll: (s) => st.held?.has(s.id) ?? false }))
      .catch((err) => console.error('[gatehouse] polling taken-over servers failed:', (err as Error).message));
    st.extra.add(run);
    void run.finally(() => st.extra.delete(run));
  }
}

/** This instance's share right now (PostgreSQL; null before the first balancing step or on SQLite). */
export function heldShare(): number | null {
  return state().held?.size ?? null;
}

/** Resolves when the running cycle (if any) has finished: for shutdown and tests. */
export async function monitoringIdle(): Promise<void> {
  const st = state();
  await st.running;
  await st.balancing;
  await Promise.allSettled([...st.extra]);
}

/**
 * Shutdown: stop polling and sharing (what is left of a cycle is skipped; the caller gives the
 * leases back with releasePollLeases). `resume` (tests) lets the next tick balance afresh.
 */
export function forgetShare(opts: { resume?: boolean } = {}): void {
  const st = state();
  st.stopped = !opts.resume;
  st.held = null;
  st.lastBalanceAt = 0;
  st.lastEnsureAt = 0;
}
