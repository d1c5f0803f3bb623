import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus series Gatehouse exposes on `GET /metrics`, defined once. Features, platform
 * and edge modules increment these; the fleet gauges are set at scrape time by
 * lib/system/metrics.ts. Kept on globalThis: Next.js may evaluate this module once per route
 * bundle and once for instrumentation.ts, and every copy must count into the same registry.
 */
function createMetrics() {
  const registry = new Registry();
  // Node's own figures (event-loop lag, heap, GC, CPU, file descriptors), as gatehouse_*.
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'API requests answered, by method, route (the operation path template) and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time to answer an API request (until the response starts), by method and route.',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    pollCycleDuration: new Histogram({
      name: 'gatehouse_poll_cycle_duration_seconds',
      help: 'Duration of a monitoring poll cycle over the whole fleet.',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
      registers,
    }),
    pollCycleLag: new Gauge({
      name: 'gatehouse_poll_cycle_lag_seconds',
      help: 'Worst delay, in the last cycle, between a server\'s scheduled poll start and its actual start (all slots busy).',
      registers,
    }),
    pollLastCycle: new Gauge({
      name: 'gatehouse_poll_last_cycle_timestamp_seconds',
      help: 'When the last monitoring poll cycle finished (Unix time).',
      registers,
    }),
    polls: new Counter({
      name: 'gatehouse_polls_total',
      help: 'Glances polls by outcome: ok, failed, skipped (shutdown), unsaved (the result could not be stored).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    taskQueueDepth: new Gauge({
      name: 'gatehouse_task_queue_depth',
      help: 'Tasks waiting to run, by kind (all instances; read at scrape time).',
      labelNames: ['kind'] as const,
      registers,
    }),
    tasksRunning: new Gauge({
      name: 'gatehouse_tasks_running',
      help: 'Tasks running now, by kind (all instances; read at scrape time).',
      labelNames: ['kind'] as const,
      registers,
    }),
    taskDuration: new Histogram({
      name: 'gatehouse_task_duration_seconds',
      help: 'Time a task ran on this instance, by kind and final status.',
      labelNames: ['kind', 'status'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900],
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'gatehouse_outbox_depth',
      help: 'Notifications not yet delivered, by status: pending, sending, held (read at scrape time).',
      labelNames: ['status'] as const,
      registers,
    }),
    outboxFailures: new Counter({
      name: 'gatehouse_outbox_delivery_failures_total',
      help: 'Failed notification delivery attempts, by channel and what follows: retry, or dead (permanent).',
      labelNames: ['channel', 'result'] as const,
      registers,
    }),
    sseClients: new Gauge({
      name: 'gatehouse_sse_clients',
      help: 'Event streams (GET /api/v1/events) open on this instance.',
      registers,
    }),
    dbPoolMax: new Gauge({
      name: 'gatehouse_db_pool_max_connections',
      help: 'PostgreSQL: the size of this instance\'s connection pool.',
      registers,
    }),
    dbConnections: new Gauge({
      name: 'gatehouse_db_connections',
      help: 'PostgreSQL: connections named gatehouse to this database, by state (pg_stat_activity; every instance).',
      labelNames: ['state'] as const,
      registers,
    }),
    dbLaneWaiting: new Gauge({
      name: 'gatehouse_db_lane_waiting',
      help: 'SQLite: transactions and statements queued for the one shared connection.',
      registers,
    }),
    servers: new Gauge({
      name: 'gatehouse_servers',
      help: 'Servers by monitoring status: up, down, unknown (read at scrape time).',
      labelNames: ['status'] as const,
      registers,
    }),
    alertsFiring: new Gauge({
      name: 'gatehouse_alerts_firing',
      help: 'Firing alerts by severity (read at scrape time).',
      labelNames: ['severity'] as const,
      registers,
    }),
    certificates: new Gauge({
      name: 'gatehouse_certificates',
      help: 'Certificates with a known expiry, by days left: expired, 0-7, 7-30, 30-90, 90+ (read at scrape time).',
      labelNames: ['expires_in'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const g = globalThis as unknown as { __gatehouseMetrics?: Metrics };

/** The process-wide metric set (created on first use). */
export function metrics(): Metrics {
  g.__gatehouseMetrics ??= createMetrics();
  return g.__gatehouseMetrics;
}

/**
 * Runs `fn`, then counts it as an API request of `route` with the status it answered. A thrown
 * error counts as 500 and is rethrown. Never lets a metrics problem fail the request.
 */
export async function countRequest<R extends { status: number }>(method: string, route: string, fn: () => Promise<R>): Promise<R> {
  const start = process.hrtime.bigint();
  let status = 500;
  try {
    const res = await fn();
    status = res.status;
    return res;
  } finally {
    try {
      const m = metrics();
      m.httpRequests.inc({ method, route, status: String(status) });
      m.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - start) / 1e9);
    } catch {
      /* metrics never break a request */
    }
  }
}

/** Records one finished monitoring cycle. */
export function recordPollCycle(stats: { durationMs: number; maxStartDelayMs: number; ok: number; failed: number; skipped: number; unsaved?: number }): void {
  const m = metrics();
  m.pollCycleDuration.observe(stats.durationMs / 1000);
  m.pollCycleLag.set(Math.max(0, stats.maxStartDelayMs) / 1000);
  m.pollLastCycle.set(Date.now() / 1000);
  m.polls.inc({ outcome: 'ok' }, stats.ok);
  m.polls.inc({ outcome: 'failed' }, stats.failed);
  m.polls.inc({ outcome: 'skipped' }, stats.skipped);
  m.polls.inc({ outcome: 'unsaved' }, stats.unsaved ?? 0);
}

/** Records one finished task (`startedAt` from its row; the time it was claimed). */
export function recordTask(kind: string, status: string, startedAt: Date | null | undefined): void {
  const seconds = startedAt ? Math.max(0, Date.now() - startedAt.getTime()) / 1000 : 0;
  metrics().taskDuration.observe({ kind, status }, seconds);
}
