import { Cron } from 'croner';
import { rawDb } from '../db';
import { setLeader } from '../lifecycle';

/**
 * Named background jobs (croner), created paused and started together once per process from
 * instrumentation.ts. On PostgreSQL only the instance holding an advisory lock runs them; the lock
 * dies with its connection, so another instance takes over when the leader goes away: the others
 * try every LEADER_RETRY_MS, and the leader checks its lock's connection as often (lost, e.g.
 * PostgreSQL restarted: it stops leading until it wins the lock again).
 */
export interface JobDef {
  name: string;
  /** Cron pattern with seconds, e.g. every 30 s: '*\/30 * * * * *'. */
  pattern: string;
  run: () => Promise<void>;
  /** Run on every instance, not only the leader (e.g. marking this process's own work). */
  everyInstance?: boolean;
}

interface SchedulerState {
  jobs: Map<string, Cron>;
  /** Runs in progress (stopScheduler waits for them). */
  inFlight: Set<Promise<void>>;
  leader: boolean;
  leaderTimer?: NodeJS.Timeout;
  release?: () => Promise<void>;
  /** Is the leader lock's connection still alive? */
  check?: () => Promise<boolean>;
}

const g = globalThis as unknown as { __gatehouseScheduler?: SchedulerState };
const LEADER_LOCK = 724312;
const SLOW_MS = 10_000;
/** A new leader within 15 s of the old one dying: well inside it. */
const LEADER_RETRY_MS = 5_000;

function state(): SchedulerState {
  g.__gatehouseScheduler ??= { jobs: new Map(), inFlight: new Set(), leader: false };
  return g.__gatehouseScheduler;
}

async function runLogged(def: JobDef) {
  const s = state();
  if (!def.everyInstance && !s.leader) return;
  const started = Date.now();
  try {
    await def.run();
  } catch (err) {
    console.error(`[gatehouse] job ${def.name} failed:`, (err as Error).message);
  } finally {
    const took = Date.now() - started;
    if (took > SLOW_MS) console.warn(`[gatehouse] job ${def.name} took ${took} ms`);
  }
}

async function tryLead(): Promise<void> {
  const s = state();
  const { dialect, pg } = rawDb();
  if (dialect === 'sqlite' || !pg) {
    s.leader = true;
    setLeader(true);
    return;
  }
  if (s.leader) {
    if (!s.check || (await s.check())) return;
    console.warn('[gatehouse] lost the scheduler lock (its database connection failed); trying to win it again');
    s.leader = false;
    setLeader(false);
    await s.release?.();
    s.release = s.check = undefined;
  }
  const reserved = await pg.reserve();
  let ok = false;
  try {
    const [row] = await reserved`select pg_try_advisory_lock(${LEADER_LOCK}) as ok`;
    ok = row.ok === true;
  } finally {
    if (!ok) reserved.release();
  }
  if (!ok) return;
  s.leader = true;
  setLeader(true);
  s.check = async () => {
    try {
      await reserved`select 1`;
      return true;
    } catch {
      return false;
    }
  };
  s.release = async () => {
    await reserved`select pg_advisory_unlock(${LEADER_LOCK})`.catch(() => {});
    reserved.release();
  };
  console.log('[gatehouse] this instance runs the scheduler');
}

/** Starts the given jobs (protect: a run that is still going makes the next one skip). */
export async function startScheduler(defs: readonly JobDef[]): Promise<void> {
  const s = state();
  await tryLead();
  let trying = false;
  s.leaderTimer ??= setInterval(() => {
    if (trying) return;
    trying = true;
    void tryLead()
      .catch(() => {})
      .finally(() => (trying = false));
  }, LEADER_RETRY_MS);
  for (const def of defs) {
    if (s.jobs.has(def.name)) continue;
    s.jobs.set(
      def.name,
      new Cron(def.pattern, { name: def.name, protect: true, paused: true }, () => {
        const run = runLogged(def);
        s.inFlight.add(run);
        return run.finally(() => s.inFlight.delete(run));
      }),
    );
  }
  for (const job of s.jobs.values()) job.resume();
}

/**
 * Graceful shutdown (lib/startup.ts): no job starts again; runs in progress get up to `waitMs`
 * to end (one still going after that meets the closed database and logs its failure); then the
 * leader lock is given up so another instance takes the singleton jobs at once.
 */
export async function stopScheduler(waitMs = 0): Promise<void> {
  const s = state();
  for (const job of s.jobs.values()) job.stop();
  s.jobs.clear();
  if (s.leaderTimer) clearInterval(s.leaderTimer);
  s.leaderTimer = undefined;
  if (s.inFlight.size && waitMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...s.inFlight]), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }
  await s.release?.();
  s.release = s.check = undefined;
  s.leader = false;
  setLeader(false);
}
