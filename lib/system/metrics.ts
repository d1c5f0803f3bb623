import crypto from 'node:crypto';
import { eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { config } from '../config';
import { executeSql, getDb, poolStats } from '../db';
import { NotFoundError, UnauthorizedError } from '../errors';
import { metrics } from '../metrics';

/**
 * `GET /metrics`: who may scrape, and the gauges read from the database at scrape time (the
 * fleet, queues and pool). Everything counted as it happens lives in lib/metrics.
 */

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

/**
 * Off (404, as if the route did not exist) while `METRICS_TOKEN` is unset; otherwise the request
 * must carry `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time) or gets 401.
 */
export function authorizeScrape(authorization: string | null): void {
  const token = config().METRICS_TOKEN;
  if (!token) throw new NotFoundError('Page');
  const m = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  // Digests have equal lengths, so timingSafeEqual never throws and length leaks nothing.
  if (!m || !crypto.timingSafeEqual(sha256(m[1]!.trim()), sha256(token))) {
    throw new UnauthorizedError('Send Authorization: Bearer <METRICS_TOKEN>.');
  }
}

export const CERT_BUCKETS = ['expired', '0-7', '7-30', '30-90', '90+'] as const;

/** The expiry bucket of a certificate `daysLeft` days from expiry. */
export function certificateBucket(daysLeft: number): (typeof CERT_BUCKETS)[number] {
  if (daysLeft < 0) return 'expired';
  if (daysLeft < 7) return '0-7';
  if (daysLeft < 30) return '7-30';
  if (daysLeft < 90) return '30-90';
  return '90+';
}

const counted = (rows: Array<{ key: string | null; n: unknown }>) => rows.map((r) => [r.key ?? 'unknown', Number(r.n)] as const);

async function readFleet(now: Date) {
  const { db, t } = getDb();
  const n = sql<number>`count(*)`;
  const [servers, alerts, certs, outbox, tasks] = await Promise.all([
    db.select({ key: t.servers.status, n }).from(t.servers).groupBy(t.servers.status),
    db.select({ key: t.alerts.severity, n }).from(t.alerts).where(eq(t.alerts.state, 'firing')).groupBy(t.alerts.severity),
    db.select({ notAfter: t.certificates.notAfter }).from(t.certificates).where(isNotNull(t.certificates.notAfter)),
    db
      .select({ key: t.notifications.status, n })
      .from(t.notifications)
      .where(inArray(t.notifications.status, ['pending', 'sending', 'held']))
      .groupBy(t.notifications.status),
    db
      .select({ kind: t.tasks.kind, status: t.tasks.status, n })
      .from(t.tasks)
      .where(inArray(t.tasks.status, ['queued', 'running']))
      .groupBy(t.tasks.kind, t.tasks.status),
  ]);
  const buckets = new Map<string, number>(CERT_BUCKETS.map((b) => [b, 0]));
  for (const c of certs) {
    const b = certificateBucket((c.notAfter!.getTime() - now.getTime()) / 86_400_000);
    buckets.set(b, buckets.get(b)! + 1);
  }
  return { servers: counted(servers), alerts: counted(alerts), certs: [...buckets], outbox: counted(outbox), tasks };
}

async function readPgConnections(): Promise<Array<readonly [string, number]>> {
  const rows = (await executeSql(
    sql`select coalesce(state, 'unknown') as key, count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'gatehouse' group by 1`,
  )) as Array<{ key: string; n: unknown }>;
  return counted([...rows]);
}

/** Sets every scrape-time gauge, then renders the registry in the Prometheus text format. */
export async function scrapeMetrics(): Promise<{ contentType: string; text: string }> {
  const m = metrics();
  const pool = poolStats();
  const [fleet, connections] = await Promise.all([readFleet(new Date()), pool.dialect === 'postgres' ? readPgConnections() : Promise.resolve([])]);
  // Reset and set together (no await between), so a series that vanished goes and a concurrent
  // scrape never sees half-set gauges; known label values always appear, at 0 when empty.
  const set = (gauge: { reset(): void; set(labels: Record<string, string>, v: number): void }, label: string, known: readonly string[], pairs: ReadonlyArray<readonly [string, number]>) => {
    gauge.reset();
    for (const k of known) gauge.set({ [label]: k }, 0);
    for (const [k, v] of pairs) gauge.set({ [label]: k }, v);
  };
  set(m.servers, 'status', ['up', 'down', 'unknown'], fleet.servers);
  set(m.alertsFiring, 'severity', ['info', 'warning', 'critical'], fleet.alerts);
  set(m.certificates, 'expires_in', CERT_BUCKETS, fleet.certs);
  set(m.outboxDepth, 'status', ['pending', 'sending', 'held'], fleet.outbox);
  set(m.taskQueueDepth, 'kind', [], fleet.tasks.filter((r) => r.status === 'queued').map((r) => [r.kind, Number(r.n)] as const));
  set(m.tasksRunning, 'kind', [], fleet.tasks.filter((r) => r.status === 'running').map((r) => [r.kind, Number(r.n)] as const));
  if (pool.dialect === 'postgres') {
    m.dbPoolMax.set(pool.poolMax ?? 0);
    set(m.dbConnections, 'state', ['active', 'idle'], connections);
  } else {
    m.dbLaneWaiting.set(pool.laneWaiting ?? 0);
  }
  return { contentType: m.registry.contentType, text: await m.registry.metrics() };
}
