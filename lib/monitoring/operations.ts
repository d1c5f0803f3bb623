import { defineOperations, serverErrors } from '../operation';
import { listParams } from '../pagination';
import { fleetQuery, fleetHistoryQuery, fleetHistorySchema, dnsCheckListSchema, dnsCheckResultSchema, fleetSchema, fleetUptimeSchema, serverUptimeSchema, metricsQueryInput, metricsSchema, upstreamCheckSchema } from './schemas';

export const monitoringOps = defineOperations({
  fleet: {
    method: 'GET', path: '/fleet', summary: 'Every server you may see with its status and latest sample', tag: 'monitoring', auth: 'user',
    query: fleetQuery, response: fleetSchema,
    description: 'For dashboards: live changes then arrive on /events as `metrics` and `server.status`.',
  },
  fleetHistory: {
    method: 'GET', path: '/fleet/history', summary: 'The busiest servers by CPU, memory and disk over a window', tag: 'monitoring', auth: 'user',
    query: fleetHistoryQuery, response: fleetHistorySchema,
    description:
      '`window` is `24h` (5-minute roll-ups), `7d` or `30d` (hourly roll-ups); `limit` (default 10, max 50) servers per metric, highest average first. ' +
      'Averages weight each bucket by its sample count; `max` is the highest bucket maximum. Only closed buckets count (the roll-up job writes them), ' +
      'and users see only the servers shared with them. `?tag=a&tag=b` narrows it to the servers carrying every given tag.',
  },
  fleetUptime: {
    method: 'GET', path: '/fleet/uptime', summary: 'Uptime of every server you may see: 24 h, 30 days and a 24-hour strip', tag: 'monitoring', auth: 'user',
    response: fleetUptimeSchema,
    description: 'Derived from the metric rollups and the server-down incidents: a slot with a sample (or an incident) is observed; down time is the time covered by `server_down` incidents; uptime = (observed − down) / observed, null when nothing was observed. Strip: the last 24 hours, one slot an hour, `up`, `down` or `unknown`.',
  },
  serverUptime: {
    method: 'GET', path: '/servers/{id}/uptime', summary: 'Uptime of a server: 24 h, 30 days and a 24-hour strip', tag: 'monitoring', auth: 'user',
    response: serverUptimeSchema,
    description: 'As `/fleet/uptime`, for one server.',
  },
  metrics: {
    method: 'GET', path: '/servers/{id}/metrics', summary: 'Metric history of a server', tag: 'monitoring', auth: 'user',
    query: metricsQueryInput, response: metricsSchema,
    description: 'Resolution follows the range: raw samples up to 2 h, 5-minute averages up to 3 days, hourly beyond (or coarser when the range reaches past what the finer one keeps). Default range: the last hour.',
  },
  checkDns: {
    method: 'POST', path: '/domains/{id}/check-dns', summary: 'Check the nameservers of a domain now', tag: 'monitoring', auth: 'operate',
    response: dnsCheckResultSchema, errors: serverErrors,
    description: 'A resolver that refuses, times out or answers badly is a result (`status: "error"` with a message), not an error.',
  },
  dnsChecks: {
    method: 'GET', path: '/domains/{id}/dns-checks', summary: 'NS check history of a domain, newest first', tag: 'monitoring', auth: 'user',
    query: listParams, response: dnsCheckListSchema,
  },
  checkUpstream: {
    method: 'POST', path: '/upstreams/{id}/check', summary: 'Probe every target of an upstream now', tag: 'monitoring', auth: 'admin',
    response: upstreamCheckSchema,
    description: 'HTTP when the upstream has an HTTP health check, else a TCP connect. Results are stored on the targets; a target that refuses or times out is a result, not an error.',
    errors: serverErrors,
  },
});

