import { config, ConfigError } from './config';
import { migrateDb } from './db';
import { bootstrap } from './auth/setup';
import { startScheduler } from './scheduler';
import { registerTaskHandlers } from './tasks/runner';
import { jobs, startupHooks, taskHandlers } from './registry';
import { installPeerStamp } from './http/peer';

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
  if (cfg.SCHEDULER === 'on') {
    await startScheduler(jobs);
  }
  console.log(`[gatehouse] ready on ${cfg.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`);
}
