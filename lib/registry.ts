/**
 * The composition root's tables: every feature's background jobs, task handlers, event types and
 * start-up work, wired here so that no feature imports the scheduler, the task runner's registry or
 * another feature's jobs. lib/startup.ts runs them once per process.
 */
import type { JobDef } from './scheduler';
import type { TaskHandlers } from './tasks/context';
import { config } from './config';
import { taskJobs } from './tasks/jobs';
import { interruptStaleTasks, pruneTasks } from './tasks/store';
import { pruneEvents } from './events/bus';
import { pruneInstances } from './scheduler/instances';
import { pruneSignInFailures } from './auth/rate-limit';
import { getEffectiveSettings } from './settings/service';
import { serverTaskHandlers } from './servers/tasks';
import { monitoringJobs } from './monitoring/jobs';
import { proxyJobs } from './proxy/jobs';
import { proxyTaskHandlers } from './proxy/tasks';
import { seedBuiltinTemplates } from './proxy/templates-service';
import { certificateJobs } from './certs/jobs';
import { certificateTaskHandlers } from './certs/tasks';
import { bulkTaskHandlers } from './bulk/service';
import { alertJobs, runAlertStartup } from './alerts/jobs';
import { alertEvents } from './alerts/events';
import { auditEvents } from './audit/events';
import { certificateEvents } from './certs/events';
import { monitoringEvents } from './monitoring/events';
import { proxyEvents } from './proxy/events';
import { serverEvents } from './servers/events';
import { settingsEvents } from './settings/events';
import { taskEvents } from './tasks/events';
import { userEvents } from './users/events';
import { plural } from './errors';

export const taskHandlers: TaskHandlers = { ...serverTaskHandlers, ...proxyTaskHandlers, ...certificateTaskHandlers, ...bulkTaskHandlers };

/** Every event type on `GET /events` (the OpenAPI document lists them). */
export const eventTypes: readonly string[] = [
  ...new Set([...serverEvents, ...taskEvents, ...monitoringEvents, ...proxyEvents, ...certificateEvents, ...alertEvents, ...settingsEvents, ...auditEvents, ...userEvents]),
].sort();

export const jobs: readonly JobDef[] = [
  ...monitoringJobs,
  ...certificateJobs,
  ...proxyJobs,
  ...alertJobs,
  ...taskJobs,
  {
    name: 'housekeeping',
    pattern: '0 */5 * * * *',
    run: async () => {
      await pruneEvents(60 * 60_000);
      await pruneSignInFailures();
      await pruneTasks((await getEffectiveSettings()).retention.taskDays);
      await pruneInstances();
    },
  },
];

/** Recovery and seeding each process does at start-up, in this order. */
export const startupHooks: ReadonlyArray<() => Promise<void>> = [
  seedBuiltinTemplates,
  runAlertStartup,
  async () => {
    // SQLite has one instance: whatever is "running" was left by a dead process. On PostgreSQL
    // other instances may be alive, so only tasks whose heartbeat stopped count.
    const n = await interruptStaleTasks(config().dialect === 'sqlite' ? 0 : 60_000);
    if (n) console.warn(`[gatehouse] marked ${plural(n, 'task')} left running by a stopped process as interrupted`);
  },
];
