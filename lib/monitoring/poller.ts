import { GlancesError } from '../glances/http';
import type { GlancesSample } from '../glances/client';

/**
 * Fleet polling schedule: no database, no HTTP of its own. The caller supplies `poll` (usually
 * GlancesClient.poll) and persists what `onSample` receives.
 */

export interface CycleStats {
  startedAt: Date;
  durationMs: number;
  ok: number;
  failed: number;
  /** Not polled, or polled but cut short, because the fleet signal aborted (shutdown). */
  skipped: number;
  /** Highest number of polls running at once, never above `concurrency`. */
  maxInFlight: number;
  /** Worst delay between a server's staggered slot and its actual start (full semaphore). */
  maxStartDelayMs: number;
}

/** Time source, replaceable in tests so stagger logic runs without waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface PollContext {
  /** Aborts when this server's budget (`timeoutMs`) runs out or the fleet signal aborts. */
  signal: AbortSignal;
  /** Cycle number from the caller (default 0): e.g. ask `system` every N cycles. */
  cycle: number;
}

export interface PollFleetOptions<S, T = GlancesSample> {
  /** Servers polled at once. Each poll sends its requests one after another, so this is also
   * the bound on HTTP requests in flight. */
  concurrency: number;
  intervalMs: number;
  /** Budget for one server's whole poll. */
  timeoutMs: number;
  poll: (server: S, ctx: PollContext) => Promise<T>;
  onSample?: (server: S, sample: T) => void | Promise<void>;
  onError?: (server: S, error: Error) => void | Promise<void>;
  /** onSample/onError threw (e.g. the database is down): not the server's fault, not counted. */
  onHandlerError?: (server: S, error: unknown) => void;
  signal?: AbortSignal;
  /** Start times are spread over this many ms (default: the whole interval). */
  spreadMs?: number;
  cycle?: number;
  clock?: Clock;
  /** Each server's start offset from the cycle's start (ascending, one per server); default: evenly spread. */
  offsets?: readonly number[];
  /** Asked at each server's slot: false skips it (counted in `skipped`), e.g. its lease moved to another instance. */
  shouldPoll?: (server: S) => boolean;
}

/** Bounded parallelism: `acquire` waits while `limit` holders are inside. */
export class Semaphore {
  private inside = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.inside;
  }

  async acquire(): Promise<void> {
    if (this.inside < this.limit) {
      this.inside++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    // Hand the slot straight to the next waiter, so `inside` never dips and a newcomer can't jump.
    if (next) next();
    else this.inside--;
  }
}

/** Evenly spread start offsets: server i of n starts at i·spread/n. */
export function staggerOffsets(count: number, spreadMs: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor((i * Math.max(0, spreadMs)) / Math.max(1, count)));
}

/**
 * One polling cycle. Server starts are staggered across the interval so that neither we nor the
 * network see a burst; a start waits for a free slot when `concurrency` polls are running. The
 * promise settles once every started poll has finished.
 */
export async function pollFleet<S, T = GlancesSample>(servers: readonly S[], options: PollFleetOptions<S, T>): Promise<CycleStats> {
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  const start = clock.now();
  const offsets = options.offsets ?? staggerOffsets(servers.length, options.spreadMs ?? options.intervalMs);
  const semaphore = new Semaphore(Math.max(1, Math.floor(options.concurrency)));
  const stats = { ok: 0, failed: 0, skipped: 0, maxInFlight: 0, maxStartDelayMs: 0 };
  const running = new Set<Promise<void>>();
  // One listener on the caller's long-lived signal per cycle, fanned out to the live polls:
  // a listener per poll would pile up (and trip Node's MaxListeners warning at 11).
  const live = new Set<AbortController>();
  const stopAll = () => live.forEach((c) => c.abort('fleet polling stopped'));
  signal?.addEventListener('abort', stopAll, { once: true });

  try {
    for (let i = 0; i < servers.length; i++) {
      const slot = start + offsets[i];
      const wait = slot - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
      if (signal?.aborted) {
        stats.skipped += servers.length - i;
        break;
      }
      if (options.shouldPoll && !options.shouldPoll(servers[i])) {
        stats.skipped++;
        continue;
      }
      await semaphore.acquire();
      stats.maxInFlight = Math.max(stats.maxInFlight, semaphore.inFlight);
      stats.maxStartDelayMs = Math.max(stats.maxStartDelayMs, clock.now() - slot);
      const task: Promise<void> = pollOne(servers[i], options, stats, live).finally(() => {
        semaphore.release();
        running.delete(task);
      });
      running.add(task);
    }
    await Promise.all(running);
  } finally {
    signal?.removeEventListener('abort', stopAll);
  }
  return { startedAt: new Date(start), durationMs: clock.now() - start, ...stats };
}

async function pollOne<S, T>(
  server: S,
  options: PollFleetOptions<S, T>,
  stats: { ok: number; failed: number; skipped: number },
  live: Set<AbortController>,
) {
  const { signal } = options;
  const controller = new AbortController();
  if (signal?.aborted) controller.abort('fleet polling stopped');
  live.add(controller);
  let finished = false;
  let expire = () => {};
  const deadline = new Promise<never>((_, reject) => {
    // No error after the poll finished: capturing a stack per poll is a measurable share of its CPU.
    expire = () => void (finished || reject(new GlancesError('timeout', 'Glances did not answer in time.', String(controller.signal.reason))));
    if (controller.signal.aborted) expire();
    else controller.signal.addEventListener('abort', expire, { once: true });
  });
  deadline.catch(() => {}); // the race below observes it; after a win it rejects unobserved
  const timer = setTimeout(() => controller.abort(`poll budget of ${options.timeoutMs} ms used up`), options.timeoutMs);

  let result: { ok: true; value: T } | { ok: false; error: Error };
  try {
    // The race keeps a poll that ignores its signal from holding the cycle open.
    const polled = options.poll(server, { signal: controller.signal, cycle: options.cycle ?? 0 });
    result = { ok: true, value: await Promise.race([polled, deadline]) };
  } catch (e) {
    result = { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  } finally {
    clearTimeout(timer);
    live.delete(controller);
    finished = true;
    // A poll that failed may have left work waiting on its signal: abort frees it. One that
    // succeeded has settled everything it started; an abort per poll (an event dispatch) would
    // cost more CPU than the rest of this function.
    if (result!.ok) controller.signal.removeEventListener('abort', expire);
    else controller.abort('poll finished');
  }
  if (!result.ok && signal?.aborted) {
    stats.skipped++;
    return;
  }
  try {
    if (result.ok) {
      stats.ok++;
      await options.onSample?.(server, result.value);
    } else {
      stats.failed++;
      await options.onError?.(server, result.error);
    }
  } catch (e) {
    (options.onHandlerError ?? ((_s, err) => console.error('monitoring: sample handler failed', err)))(server, e);
  }
}
