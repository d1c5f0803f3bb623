import { z } from 'zod';
import { tagQuery } from '../servers/tags';
import { listParams } from '../pagination';

/** Response and query shapes of the monitoring API (CONTRACT.md names). */

const isoTime = z.iso.datetime({ offset: true, error: 'Use an ISO 8601 time, e.g. 2026-03-01T10:00:00Z.' });

/** `?from=&to=` (ISO times; default: the last hour up to now). */
export const metricsQueryInput = z.object({ from: isoTime.optional(), to: isoTime.optional() });

export const metricsQuery = metricsQueryInput.transform((q, ctx) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 60 * 60_000);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: '`from` must be before `to`.' });
    if (to.getTime() - from.getTime() > 400 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['from'], message: 'Ask for at most 400 days at once.' });
    return { from, to };
  });
export type MetricsQuery = z.output<typeof metricsQuery>;

export const metricPointSchema = z.object({
  at: z.string(),
  cpu: z.number().nullable(),
  memory: z.number().nullable(),
  disk: z.number().nullable(),
  load1: z.number().nullable(),
  load5: z.number().nullable(),
  load15: z.number().nullable(),
  netRx: z.number().nullable(),
  netTx: z.number().nullable(),
});
export type MetricPointDto = z.infer<typeof metricPointSchema>;

export const metricsSchema = z.object({
  /** raw (one point per poll), 5m or 1h buckets (averages), picked from the range. */
  resolution: z.enum(['raw', '5m', '1h']),
  points: z.array(metricPointSchema),
});
export type MetricsDto = z.infer<typeof metricsSchema>;

export const lastSampleSchema = z.object({
  at: z.string(),
  apiVersion: z.number(),
  cpu: z.number(),
  memory: z.number(),
  swap: z.number(),
  disk: z.number().nullable(),
  disks: z.array(z.object({ mount: z.string(), percent: z.number() })),
  load1: z.number(),
  load5: z.number(),
  load15: z.number(),
  netRx: z.number().nullable(),
  netTx: z.number().nullable(),
  missing: z.array(z.string()),
});

export const fleetItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['unknown', 'up', 'down']),
  monitoringEnabled: z.boolean(),
  /** A Glances URL is set: without one the server is not polled. */
  glancesConfigured: z.boolean(),
  lastSeenAt: z.string().nullable(),
  lastError: z.string().nullable(),
  sample: lastSampleSchema.nullable(),
  /** The server's tags (lower-case, sorted). */
  tags: z.array(z.string()),
});
export type FleetItem = z.infer<typeof fleetItemSchema>;

export const fleetSchema = z.object({ items: z.array(fleetItemSchema), nextCursor: z.string().nullable() });

export const nsStatus = z.enum(['ok', 'mismatch', 'error']);

export const dnsCheckResultSchema = z.object({
  domainId: z.string(),
  status: nsStatus,
  zone: z.string().nullable(),
  found: z.array(z.string()),
  message: z.string(),
  checkedAt: z.string(),
  perResolver: z.array(z.object({ resolver: z.string(), status: nsStatus, found: z.array(z.string()), message: z.string() })),
});
export type DnsCheckResultDto = z.infer<typeof dnsCheckResultSchema>;

export const dnsCheckSchema = z.object({ id: z.string(), at: z.string(), status: nsStatus, found: z.array(z.string()), message: z.string().nullable() });
export type DnsCheckDto = z.infer<typeof dnsCheckSchema>;
export const dnsCheckListSchema = z.object({ items: z.array(dnsCheckSchema), nextCursor: z.string().nullable() });

export const targetHealthSchema = z.object({
  id: z.string(),
  host: z.string(),
  port: z.number(),
  status: z.enum(['unknown', 'up', 'down']),
  checkedAt: z.string().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number().nullable(),
});
export type TargetHealthDto = z.infer<typeof targetHealthSchema>;

export const upstreamCheckSchema = z.object({ upstreamId: z.string(), type: z.enum(['http', 'tcp']), targets: z.array(targetHealthSchema) });
export type UpstreamCheckDto = z.infer<typeof upstreamCheckSchema>;

/** `GET /fleet/history`: the busiest servers over a window, from the roll-ups. */
export const FLEET_WINDOWS = ['24h', '7d', '30d'] as const;
export type FleetWindow = (typeof FLEET_WINDOWS)[number];
export const fleetHistoryQuery = z.object({
  window: z.enum(FLEET_WINDOWS, { error: 'Choose 24h, 7d or 30d.' }).default('24h'),
  limit: z.coerce.number({ error: 'Enter a number.' }).int().min(1, 'At least 1.').max(50, 'At most 50.').default(10),
  /** `?tag=a&tag=b`: only servers carrying every given tag. */
  tag: tagQuery,
});
/** `GET /fleet`: the list parameters and the same tag filter as `GET /servers`. */
export const fleetQuery = listParams.extend({ tag: tagQuery });
const busiest = z.object({
  serverId: z.string(),
  name: z.string(),
  /** The window's average, in percent (each bucket weighted by its sample count). */
  avg: z.number(),
  /** The highest bucket maximum in the window, in percent. */
  max: z.number().nullable(),
});
export type BusiestServer = z.infer<typeof busiest>;
export const fleetHistorySchema = z.object({
  window: z.enum(FLEET_WINDOWS),
  resolution: z.enum(['5m', '1h']),
  from: z.string(),
  to: z.string(),
  cpu: z.array(busiest),
  memory: z.array(busiest),
  disk: z.array(busiest),
});
export type FleetHistoryDto = z.infer<typeof fleetHistorySchema>;
/** Uptime of a server (lib/monitoring/uptime.ts explains how it is derived). */
export const uptimeSlotSchema = z.object({ start: z.string(), state: z.enum(['up', 'down', 'unknown']) });
export const serverUptimeSchema = z.object({
  serverId: z.string(),
  /** Percent (0–100) over the last 24 h and 30 days; null when nothing was observed in the window. */
  day: z.number().nullable(),
  month: z.number().nullable(),
  /** The last 24 hours, one slot an hour, oldest first (the last slot is the current hour). */
  strip: z.array(uptimeSlotSchema),
});
export type ServerUptimeDto = z.infer<typeof serverUptimeSchema>;
export const fleetUptimeSchema = z.object({ items: z.array(serverUptimeSchema) });
