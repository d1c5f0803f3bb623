import { config, ConfigError } from './config';
import { closeDb, migrateDb } from './db';
import { bootstrap } from './auth/setup';
import { startScheduler, stopScheduler } from './scheduler';
import { startInstanceHeartbeat, stopInstanceHeartbeat } from './scheduler/instances';
import { releasePollLeases } from './monitoring/poll-leases';
import { forgetShare } from './monitoring/poll-service';
import { registerTaskHandlers, stopRunner } from './tasks/runner';
import { closeAllStreams } from './events/sse';
import { flushBus } from './events/bus';
import { getSshPool } from './ssh/pool';
import { installSignalHandlers, onShutdown } from './lifecycle';
import { jobs, startupHooks, taskHandlers } from './registry';
import { installPeerStamp } from './http/peer';
import { plural } from './errors';

/** How long running tasks get to finish at shutdown before they are marked interrupted. */
export const SHUTDOWN_GRACE_MS = 20_000;

/**
 * The close hooks, in lib/lifecycle.ts's phase order (requests and task claims stop with the
 * draining flag itself): the scheduler starts no job and its runs in progress end, running tasks
 * finish or are interrupted, event streams end, SSH connections close, the database closes.
 */
export function registerShutdownHooks(): void {
  onShutdown('work', 'scheduler', () => stopScheduler(SHUTDOWN_GRACE_MS));
  onShutdown('work', 'tasks', async () => {
    const n = await stopRunner(SHUTDOWN_GRACE_MS);
    if (n) console.warn(`[gatehouse] ${plural(n, 'task')} still running after ${SHUTDOWN_GRACE_MS / 1000} s were marked interrupted`);
  });
  // Polling stops at once (what is left of the cycle is skipped); the others take the servers over.
  onShutdown('work', 'poll leases', async () => {
    forgetShare();
    await releasePollLeases(config().INSTANCE_ID);
  });
  // Only after the work phase: while tasks still finish, the row must stay fresh (or another
  // instance would take this one for dead and interrupt them).
  onShutdown('streams', 'instance row', () => stopInstanceHeartbeat());
  onShutdown('streams', 'event streams', async () => {
    await flushBus();
    closeAllStreams();
  });
  onShutdown('connections', 'ssh pool', () => getSshPool().closeAll());
  onShutdown('database', 'database', () => closeDb({ final: true }));
}

/** Registers every task handler, then runs the start-up hooks (recovery, seeding) in order. */
export async function runStartupHooks(): Promise<void> {
  registerTaskHandlers(taskHandlers);
  for (const hook of startupHooks) await hook();
}

/**
 * Node-side start-up, called once per process from instrumentation.ts: the socket-peer stamp, configuration, migrations,
 * first-admin bootstrap (or the setup code), recovery hooks, then the scheduler.
 */
export async function startGatehouse(): Promise<void> {
  const g = globalThis as unknown as { __gatehouseStarted?: boolean };
  if (g.__gatehouseStarted) return;
  g.__gatehouseStarted = true;
  // First, so the sign-in limits know each request's socket peer (lib/auth/address.ts).
  installPeerStamp();
  let cfg;
  try {
    cfg = config();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`[gatehouse] ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  await migrateDb();
  const boot = await bootstrap();
  if (boot.createdAdmin) console.log(`[gatehouse] created the first admin ${boot.createdAdmin} from ADMIN_EMAIL`);
  if (boot.setupCode) {
    console.log(`[gatehouse] No user exists yet. Open /setup and enter this one-time setup code:`);
    console.log(`[gatehouse] Setup code: ${boot.setupCode}`);
  }
  await runStartupHooks();
  await startInstanceHeartbeat();
  if (cfg.SCHEDULER === 'on') {
    await startScheduler(jobs);
  }
  // From here SIGTERM/SIGINT shut down gracefully (Next.js leaves them to us with
  // NEXT_MANUAL_SIG_HANDLE=true; before this point a signal simply ends the process).
  registerShutdownHooks();
  installSignalHandlers();
  console.log(`[gatehouse] ready on ${cfg.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} as instance ${cfg.INSTANCE_ID}`);
}
