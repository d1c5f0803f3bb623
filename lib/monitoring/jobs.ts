import { registerJob } from '../scheduler';
import { monitoringTick } from './poll-service';
import { pruneMonitoringData, rollUpMetrics } from './retention';
import { checkAllDomains } from './dns-service';
import { checkDueUpstreams } from './upstream-health';

/** Monitoring's background jobs (lib/scheduler/jobs.ts calls this). */
export function registerMonitoringJobs(): void {
  // Ticks every second; a cycle starts when the configured interval has passed (see monitoringTick).
  registerJob({ name: 'monitoring.poll', pattern: '* * * * * *', run: monitoringTick });
  registerJob({
    name: 'monitoring.rollup',
    pattern: '30 */5 * * * *',
    run: async () => {
      await rollUpMetrics();
      await pruneMonitoringData();
    },
  });
  // Each domain is checked when its last check is older than settings.monitoring.dnsIntervalMinutes.
  registerJob({ name: 'monitoring.dns', pattern: '15 * * * * *', run: async () => void (await checkAllDomains()) });
  registerJob({ name: 'monitoring.upstreams', pattern: '*/5 * * * * *', run: async () => void (await checkDueUpstreams()) });
}
