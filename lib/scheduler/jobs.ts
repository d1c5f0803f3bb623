import { registerJob } from './index';
import { registerMonitoringJobs } from '../monitoring/jobs';
import { registerCertificateJobs } from '../certs/jobs';
import { registerProxyJobs } from '../proxy/jobs';
import { registerAlertJobs } from '../alerts/jobs';
import { pruneEvents } from '../events/bus';
import { pruneSignInFailures } from '../auth/rate-limit';
import { pollTasks } from '../tasks/runner';
import { interruptStaleTasks, pruneTasks } from '../tasks/queue';
import { getEffectiveSettings } from '../settings/service';

/** Every background job, by feature. A feature adds its registration call here. */
export function registerAllJobs(): void {
  registerMonitoringJobs();
  registerCertificateJobs();
  registerProxyJobs();
  registerAlertJobs();
  // Every instance runs tasks (claims are atomic); this picks up ones queued by other instances or the CLI.
  registerJob({ name: 'tasks.poll', pattern: '*/2 * * * * *', everyInstance: true, run: pollTasks });
  registerJob({ name: 'tasks.interrupt-stale', pattern: '*/30 * * * * *', run: async () => void (await interruptStaleTasks(60_000)) });
  registerJob({
    name: 'housekeeping',
    pattern: '0 */5 * * * *',
    run: async () => {
      await pruneEvents(60 * 60_000);
      await pruneSignInFailures();
      await pruneTasks((await getEffectiveSettings()).retention.taskDays);
    },
  });
}
