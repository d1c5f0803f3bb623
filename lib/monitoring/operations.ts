import { defineOperations } from '../operation';
import { listParams } from '../pagination';
import { dnsCheckListSchema, dnsCheckResultSchema, fleetSchema, metricsQueryInput, metricsSchema, upstreamCheckSchema } from './schemas';

export const monitoringOps = defineOperations({
  fleet: {
    method: 'GET', path: '/fleet', summary: 'Every server you may see with its status and latest sample', tag: 'monitoring', auth: 'user',
    query: listParams, response: fleetSchema,
    description: 'For dashboards: live changes then arrive on /events as `metrics` and `server.status`.',
  },
  metrics: {
    method: 'GET', path: '/servers/{id}/metrics', summary: 'Metric history of a server', tag: 'monitoring', auth: 'user',
    query: metricsQueryInput, response: metricsSchema,
    description: 'Resolution follows the range: raw samples up to 2 h, 5-minute averages up to 3 days, hourly beyond (or coarser when the range reaches past what the finer one keeps). Default range: the last hour.',
  },
  checkDns: {
    method: 'POST', path: '/domains/{id}/check-dns', summary: 'Check the nameservers of a domain now', tag: 'monitoring', auth: 'operate',
    response: dnsCheckResultSchema,
  },
  dnsChecks: {
    method: 'GET', path: '/domains/{id}/dns-checks', summary: 'NS check history of a domain, newest first', tag: 'monitoring', auth: 'user',
    query: listParams, response: dnsCheckListSchema,
  },
  checkUpstream: {
    method: 'POST', path: '/upstreams/{id}/check', summary: 'Probe every target of an upstream now', tag: 'monitoring', auth: 'admin',
    response: upstreamCheckSchema,
    description: 'HTTP when the upstream has an HTTP health check, else a TCP connect. Results are stored on the targets.',
  },
});

