import { monitoringTick } from './poll-service';
import { pruneMonitoringData, rollUpMetrics } from './retention';
import { checkAllDomains } from './dns-service';
import { checkDueUpstreams } from './upstream-health';

/** Monitoring's background jobs (wired by lib/registry.ts). */
export const monitoringJobs = [
  // Ticks every second; a cycle starts when the configured interval has passed (see monitoringTick).
  // Every instance polls: on PostgreSQL each its share of the servers (poll leases), on SQLite
  // the one instance all of them.
  { name: 'monitoring.poll', pattern: '* * * * * *', everyInstance: true, run: monitoringTick },
  {
    name: 'monitoring.rollup',
    pattern: '30 */5 * * * *',
    run: async () => {
      await rollUpMetrics();
      await pruneMonitoringData();
    },
  },
  // Each domain is checked when its last check is older than settings.monitoring.dnsIntervalMinutes.
  { name: 'monitoring.dns', pattern: '15 * * * * *', run: async () => void (await checkAllDomains()) },
  { name: 'monitoring.upstreams', pattern: '*/5 * * * * *', run: async () => void (await checkDueUpstreams()) },
];
