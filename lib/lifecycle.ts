/**
 * The process's life after start-up: whether it is shutting down ("draining"), and the ordered
 * hooks that close it. Kernel level on purpose: the task runner (platform) and lib/http (edge)
 * both ask `isDraining()`, and whichever layer owns a resource registers its close hook here;
 * lib/startup.ts wires the signals.
 *
 * Shutdown first sets the draining flag (requests answer 503, the runner claims nothing), then
 * runs the phases in this order, the hooks of one phase side by side:
 *   work         stop the scheduler and let its runs and the running tasks finish (up to the
 *                grace period), mark the tasks still running interrupted
 *   streams      close Server-Sent Events streams
 *   connections  close pooled SSH connections
 *   database     close the database
 * A hook that throws is logged and the next ones still run. State lives on globalThis because
 * Next.js bundles instrumentation and route handlers separately (one module copy each).
 */
export const SHUTDOWN_PHASES = ['work', 'streams', 'connections', 'database'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

interface Hook {
  name: string;
  phase: ShutdownPhase;
  run: () => Promise<void> | void;
}

interface LifecycleState {
  draining: boolean;
  /** This instance runs the singleton jobs (set by lib/scheduler; /health reports it). */
  leader?: boolean;
  hooks: Map<string, Hook>;
  shutdown?: Promise<void>;
  signalsInstalled?: boolean;
}

const g = globalThis as unknown as { __gatehouseLifecycle?: LifecycleState };
function state(): LifecycleState {
  g.__gatehouseLifecycle ??= { draining: false, hooks: new Map() };
  return g.__gatehouseLifecycle;
}

/** What a request refused while draining is told (503 `unavailable`, with Retry-After). */
export const DRAINING_MESSAGE = 'Gatehouse is shutting down; nothing was changed. Try again in a moment.';
export const DRAINING_RETRY_AFTER_SECONDS = 5;

/** True once shutdown has begun: requests are answered 503 and no new task is claimed. */
export function isDraining(): boolean {
  return state().draining;
}

/**
 * Instances write their row every INSTANCE_HEARTBEAT_MS; one not seen for INSTANCE_STALE_MS is
 * gone (its tasks are interrupted, its poll leases and leadership pass to the living).
 */
export const INSTANCE_HEARTBEAT_MS = 5_000;
export const INSTANCE_STALE_MS = 20_000;

/** Does this instance run the singleton jobs now? (The scheduler holds the leader lock.) */
export function isLeader(): boolean {
  return state().leader === true;
}

/** lib/scheduler: this instance took, or lost, the leader lock. */
export function setLeader(leader: boolean): void {
  state().leader = leader;
}

/** Registers (or, under the same name, replaces) a close hook for a phase. */
export function onShutdown(phase: ShutdownPhase, name: string, run: () => Promise<void> | void): void {
  state().hooks.set(name, { name, phase, run });
}

export interface ShutdownOptions {
  /** Why, for the log: e.g. the signal's name. */
  reason?: string;
  log?: (line: string) => void;
}

/**
 * Begins draining and runs every hook, phase by phase. Idempotent: a second call (a second
 * signal, e.g. npm forwarding the SIGTERM the process group already got) returns the same promise.
 */
export function shutdown(opts: ShutdownOptions = {}): Promise<void> {
  const s = state();
  s.draining = true;
  s.shutdown ??= (async () => {
    const log = opts.log ?? ((line: string) => console.log(line));
    log(`[gatehouse] shutting down${opts.reason ? ` (${opts.reason})` : ''}: no new requests or tasks`);
    const hooks = [...s.hooks.values()];
    for (const phase of SHUTDOWN_PHASES) {
      await Promise.all(
        hooks
          .filter((h) => h.phase === phase)
          .map(async (h) => {
            try {
              await h.run();
            } catch (err) {
              log(`[gatehouse] shutdown: ${h.name} failed: ${(err as Error)?.message ?? String(err)}`);
            }
          }),
      );
    }
    log('[gatehouse] shutdown complete');
  })();
  return s.shutdown;
}

export interface SignalOptions {
  /** The process exits by this long after the first signal whatever still runs (default 28 s). */
  hardTimeoutMs?: number;
  exit?: (code: number) => void;
  log?: (line: string) => void;
}

/**
 * SIGTERM and SIGINT start `shutdown()`, then the process exits 0; if a hook hangs, a timer
 * exits 1 after `hardTimeoutMs`. Repeated signals are ignored (an interactive Ctrl-C reaches npm
 * and the app alike, and npm forwards its own). Needs NEXT_MANUAL_SIG_HANDLE=true, or Next.js
 * exits on the signal itself before anything is closed. Returns the uninstaller (tests).
 */
export function installSignalHandlers(opts: SignalOptions = {}): () => void {
  const s = state();
  if (s.signalsInstalled) return () => {};
  s.signalsInstalled = true;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const log = opts.log ?? ((line: string) => console.log(line));
  const onSignal = (signal: NodeJS.Signals) => {
    if (s.shutdown) {
      log(`[gatehouse] ${signal} again: already shutting down`);
      return;
    }
    const hard = setTimeout(() => {
      log(`[gatehouse] shutdown did not finish in ${opts.hardTimeoutMs ?? 28_000} ms; exiting anyway`);
      exit(1);
    }, opts.hardTimeoutMs ?? 28_000);
    hard.unref();
    void shutdown({ reason: signal, log }).then(() => {
      clearTimeout(hard);
      exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    s.signalsInstalled = false;
  };
}

/** Tests: forget the draining state and the hooks. */
export function resetLifecycle(): void {
  g.__gatehouseLifecycle = undefined;
}
