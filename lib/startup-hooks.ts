import { config } from './config';
import { interruptStaleTasks } from './tasks/queue';
import { registerAllTaskHandlers } from './tasks/handlers';
import { seedBuiltinTemplates } from './proxy/templates-service';
import { runAlertStartup } from './alerts/jobs';

/**
 * Recovery work each process does at start-up, by feature. A feature adds its hook here.
 */
export async function runStartupHooks(): Promise<void> {
  registerAllTaskHandlers();
  await seedBuiltinTemplates();
  await runAlertStartup();
  // SQLite has one instance: whatever is "running" was left by a dead process. On PostgreSQL other
  // instances may be alive, so only tasks whose heartbeat stopped count.
  const n = await interruptStaleTasks(config().dialect === 'sqlite' ? 0 : 60_000);
  if (n) console.warn(`[gatehouse] marked ${n} task(s) left running by a stopped process as interrupted`);
}
