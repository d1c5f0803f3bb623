import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { api } from '../support/api';
import { startTelegramFake, type TelegramFake } from '../support/telegram-fake';
import { startGlancesV4Fake } from '../support/glances-v4-fake';
import { parsePrometheusText, samplesOf, seriesValue, type MetricFamily } from '../support/prometheus-text';
import { GET as scrapeRoute } from '@/app/metrics/route';
import { GET as eventsRoute } from '@/app/api/v1/events/route';
import { config, resetConfig } from '@/lib/config';
import { getDb, newId } from '@/lib/db';
import { cliActor } from '@/lib/access/actor';
import { updateSettings } from '@/lib/settings/service';
import { loadMonitoredServers, runMonitoringCycle } from '@/lib/monitoring/poll-service';
import { enqueueTask } from '@/lib/tasks/service';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { TaskFailure } from '@/lib/tasks/context';
import { seedDefaultRules } from '@/lib/alerts/rules';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { deliverDue, resetDeliveryState } from '@/lib/alerts/outbox';

/**
 * GET /metrics, scraped with a strict exposition-format parser: the token rules, every series
 * named gatehouse_*, and the series moving when a request is answered, a poll cycle runs against
 * the Glances fake, a task runs, a delivery fails at the Telegram fake, a stream opens, and the
 * fleet changes. The registry is per process, so counters are compared before and after.
 */
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
const TG_TOKEN = '123456:ABC-metrics-test-token-abcdefghijk';

async function scrapeRaw(authorization?: string) {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const res = await scrapeRoute(new Request('http://localhost/metrics', { headers }));
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

async function scrape(): Promise<Map<string, MetricFamily>> {
  const res = await scrapeRaw(`Bearer ${METRICS_TOKEN}`);
  expect(res.status).toBe(200);
  return parsePrometheusText(res.text);
}

const value = async (name: string, labels: Record<string, string> = {}) => seriesValue(await scrape(), name, labels) ?? 0;

/** The same process environment with METRICS_TOKEN changed (unset with undefined). */
function withMetricsToken(token: string | undefined) {
  const c = config();
  resetConfig({
    ...process.env,
    DATA_DIR: c.DATA_DIR,
    DATABASE_URL: c.DATABASE_URL,
    AUTH_SECRET: c.AUTH_SECRET,
    ENCRYPTION_KEY: c.ENCRYPTION_KEY,
    SCHEDULER: 'off',
    TELEGRAM_BOT_TOKEN: TG_TOKEN,
    TELEGRAM_CHAT_ID: '4242',
    TELEGRAM_API_URL: c.TELEGRAM_API_URL,
    METRICS_TOKEN: token,
  });
}

describe.each(dialects)('GET /metrics on %s', (dialect) => {
  let tdb: TestDb;
  let tg: TelegramFake;
  let adminToken: string;

  beforeAll(async () => {
    tg = await startTelegramFake();
    tdb = await openTestDb(dialect, { METRICS_TOKEN, TELEGRAM_BOT_TOKEN: TG_TOKEN, TELEGRAM_CHAT_ID: '4242', TELEGRAM_API_URL: tg.apiRoot });
    ({ adminToken } = await seedUsers());
    await updateSettings(cliActor, { monitoring: { intervalSeconds: 10, downAfterFailures: 1, upAfterSuccesses: 1 } });
  });
  afterAll(async () => {
    await tdb?.close();
    await tg?.stop();
  });
  beforeEach(async () => {
    const { db, t } = getDb();
    for (const table of [t.notifications, t.alerts, t.tasks, t.certificates, t.servers]) await db.delete(table);
    tg.reset();
    resetDeliveryState();
  });

  it('is off (404) without METRICS_TOKEN, and needs the exact bearer token when it is set', async () => {
    withMetricsToken(undefined);
    try {
      const off = await scrapeRaw(`Bearer ${METRICS_TOKEN}`);
      expect(off.status).toBe(404);
      expect(JSON.parse(off.text)).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      withMetricsToken(METRICS_TOKEN);
    }
    for (const auth of [undefined, 'Bearer', `Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN, `Bearer ${adminToken}`]) {
      const res = await scrapeRaw(auth);
      expect(res.status, String(auth)).toBe(401);
      const body = JSON.parse(res.text);
      expect(body).toMatchObject({ error: { code: 'unauthorized' } });
      expect(res.text).not.toContain(METRICS_TOKEN);
    }
    const ok = await scrapeRaw(`Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('names every series gatehouse_*, with HELP and TYPE, and exposes the documented set', async () => {
    const families = await scrape();
    for (const f of families.values()) {
      expect(f.name).toMatch(/^gatehouse_/);
      expect(f.help, f.name).toBeTruthy();
      expect(f.type, f.name).not.toBe('untyped');
    }
    const expected = [
      'gatehouse_http_requests_total', 'gatehouse_http_request_duration_seconds', 'gatehouse_poll_cycle_duration_seconds',
      'gatehouse_poll_cycle_lag_seconds', 'gatehouse_polls_total', 'gatehouse_task_queue_depth', 'gatehouse_task_duration_seconds',
      'gatehouse_outbox_depth', 'gatehouse_outbox_delivery_failures_total', 'gatehouse_sse_clients', 'gatehouse_servers',
      'gatehouse_alerts_firing', 'gatehouse_certificates', 'gatehouse_nodejs_eventloop_lag_seconds', 'gatehouse_process_resident_memory_bytes',
      dialect === 'sqlite' ? 'gatehouse_db_lane_waiting' : 'gatehouse_db_pool_max_connections',
    ];
    for (const name of expected) expect([...families.keys()], name).toContain(name);
    if (dialect === 'postgres') {
      expect(seriesValue(families, 'gatehouse_db_pool_max_connections')).toBe(10);
      // The scrape's own pg_stat_activity query runs on one of them.
      expect(seriesValue(families, 'gatehouse_db_connections', { state: 'active' })).toBeGreaterThanOrEqual(1);
    } else {
      expect(seriesValue(families, 'gatehouse_db_lane_waiting')).toBe(0);
    }
  });

  it('counts API requests by route template and status, never by raw id', async () => {
    const list = { method: 'GET', route: '/api/v1/servers', status: '200' };
    const missing = { method: 'GET', route: '/api/v1/servers/{id}', status: '404' };
    const denied = { method: 'GET', route: '/api/v1/servers', status: '401' };
    const before = await scrape();
    const id = newId();
    expect((await api('GET', '/servers', { token: adminToken })).status).toBe(200);
    expect((await api('GET', `/servers/${id}`, { token: adminToken })).status).toBe(404);
    expect((await api('GET', '/servers')).status).toBe(401);
    const after = await scrape();
    for (const labels of [list, missing, denied]) {
      expect((seriesValue(after, 'gatehouse_http_requests_total', labels) ?? 0) - (seriesValue(before, 'gatehouse_http_requests_total', labels) ?? 0), JSON.stringify(labels)).toBe(1);
    }
    const countOf = (f: Map<string, MetricFamily>) => seriesValue(f, 'gatehouse_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/servers' }) ?? 0;
    expect(countOf(after) - countOf(before)).toBe(2);
    const labelValues = samplesOf(after, 'gatehouse_http_requests_total').flatMap((s) => Object.values(s.labels));
    expect(labelValues.some((v) => v.includes(id))).toBe(false);
  });

  it('moves the poll series on a cycle against the Glances fake, and the server gauges with it', async () => {
    const g = await startGlancesV4Fake();
    try {
      const { db, t } = getDb();
      const now = new Date();
      const serverId = newId();
      await db.insert(t.servers).values({ id: serverId, name: 'polled', host: '127.0.0.1', authMethod: 'password', glancesUrl: g.baseUrl, monitoringEnabled: true, createdAt: now, updatedAt: now });
      const cycle = async () => runMonitoringCycle({ servers: (await loadMonitoredServers()).filter((s) => s.id === serverId), spreadMs: 0 });

      const before = await scrape();
      expect(seriesValue(before, 'gatehouse_servers', { status: 'unknown' })).toBe(1);
      expect(await cycle()).toMatchObject({ ok: 1, failed: 0 });
      const afterOk = await scrape();
      const delta = (a: Map<string, MetricFamily>, b: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) =>
        (seriesValue(a, name, labels) ?? 0) - (seriesValue(b, name, labels) ?? 0);
      expect(delta(afterOk, before, 'gatehouse_polls_total', { outcome: 'ok' })).toBe(1);
      expect(delta(afterOk, before, 'gatehouse_poll_cycle_duration_seconds_count')).toBe(1);
      expect(seriesValue(afterOk, 'gatehouse_poll_cycle_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(seriesValue(afterOk, 'gatehouse_poll_last_cycle_timestamp_seconds')).toBeGreaterThanOrEqual(now.getTime() / 1000 - 1);
      expect(seriesValue(afterOk, 'gatehouse_servers', { status: 'up' })).toBe(1);
      expect(seriesValue(afterOk, 'gatehouse_servers', { status: 'unknown' })).toBe(0);

      await g.setFailure('http500');
      expect(await cycle()).toMatchObject({ ok: 0, failed: 1 });
      const afterFail = await scrape();
      expect(delta(afterFail, afterOk, 'gatehouse_polls_total', { outcome: 'failed' })).toBe(1);
      expect(delta(afterFail, afterOk, 'gatehouse_polls_total', { outcome: 'ok' })).toBe(0);
      expect(seriesValue(afterFail, 'gatehouse_servers', { status: 'down' })).toBe(1);
      expect(seriesValue(afterFail, 'gatehouse_servers', { status: 'up' })).toBe(0);
    } finally {
      await g.stop();
    }
  });

  it('shows queued tasks by kind and times finished ones by kind and status', async () => {
    const kind = `metrics.${dialect}.job`;
    const failing = `metrics.${dialect}.broken`;
    // No handler yet for `kind`: the runner leaves it queued.
    const queued = await enqueueTask(cliActor, { kind });
    expect(await value('gatehouse_task_queue_depth', { kind })).toBe(1);
    const ok = { kind, status: 'succeeded' };
    const bad = { kind: failing, status: 'failed' };
    const okBefore = await value('gatehouse_task_duration_seconds_count', ok);
    const badBefore = await value('gatehouse_task_duration_seconds_count', bad);
    registerTaskHandlers({
      [kind]: async (ctx) => void (await ctx.log('done')),
      [failing]: async () => {
        throw new TaskFailure('it broke');
      },
    });
    expect((await waitForTask(queued.id)).status).toBe('succeeded');
    expect((await waitForTask((await enqueueTask(cliActor, { kind: failing })).id)).status).toBe('failed');
    const after = await scrape();
    expect(seriesValue(after, 'gatehouse_task_queue_depth', { kind })).toBeUndefined();
    expect(seriesValue(after, 'gatehouse_task_duration_seconds_count', ok)).toBe(okBefore + 1);
    expect(seriesValue(after, 'gatehouse_task_duration_seconds_count', bad)).toBe(badBefore + 1);
  });

  it('shows the outbox depth and counts a delivery the Telegram fake fails with 500; the firing alert by severity', async () => {
    await seedDefaultRules();
    const { db, t } = getDb();
    const now = new Date();
    await db.insert(t.servers).values({ id: newId(), name: 'gone', host: '10.20.30.40', authMethod: 'password', status: 'down', createdAt: now, updatedAt: now });
    await evaluateAlerts({ now });
    const [alert] = await db.select().from(t.alerts).where(eq(t.alerts.state, 'firing'));
    expect(alert).toBeDefined();
    const fired = await scrape();
    expect(seriesValue(fired, 'gatehouse_outbox_depth', { status: 'pending' })).toBe(1);
    expect(seriesValue(fired, 'gatehouse_alerts_firing', { severity: alert!.severity })).toBe(1);
    const failures = { channel: 'telegram', result: 'retry' };
    const failuresBefore = seriesValue(fired, 'gatehouse_outbox_delivery_failures_total', failures) ?? 0;

    tg.failNext(1, { kind: '500' });
    expect(await deliverDue({ clock: () => now })).toMatchObject({ sent: 0, retrying: 1 });
    const failed = await scrape();
    expect(seriesValue(failed, 'gatehouse_outbox_delivery_failures_total', failures)).toBe(failuresBefore + 1);
    expect(seriesValue(failed, 'gatehouse_outbox_depth', { status: 'pending' })).toBe(1);

    // Past the backoff the fake accepts it: the queue empties, the failure count stays.
    expect(await deliverDue({ clock: () => new Date(now.getTime() + 60_000) })).toMatchObject({ sent: 1 });
    const sent = await scrape();
    expect(seriesValue(sent, 'gatehouse_outbox_depth', { status: 'pending' })).toBe(0);
    expect(seriesValue(sent, 'gatehouse_outbox_delivery_failures_total', failures)).toBe(failuresBefore + 1);
    expect(tg.messages).toHaveLength(1);
  });

  it('buckets certificates by days to expiry', async () => {
    const { db, t } = getDb();
    const now = Date.now();
    const day = 86_400_000;
    for (const days of [-2, 3, 20, 25, 60, 200]) {
      await db.insert(t.certificates).values({ id: newId(), source: 'custom', status: 'valid', names: [`d${days}.example.test`], notAfter: new Date(now + days * day), createdAt: new Date(), updatedAt: new Date() });
    }
    await db.insert(t.certificates).values({ id: newId(), source: 'acme', status: 'pending', names: ['p.example.test'], createdAt: new Date(), updatedAt: new Date() });
    const f = await scrape();
    expect(Object.fromEntries(samplesOf(f, 'gatehouse_certificates').map((s) => [s.labels.expires_in, s.value]))).toEqual({
      expired: 1, '0-7': 1, '7-30': 2, '30-90': 1, '90+': 1,
    });
  });

  it('counts open event streams', async () => {
    const before = await value('gatehouse_sse_clients');
    const controller = new AbortController();
    const res = await eventsRoute(new Request('http://localhost/api/v1/events', { headers: { authorization: `Bearer ${adminToken}` }, signal: controller.signal }), {
      params: Promise.resolve({}),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // the stream has started: "retry: 3000 / : connected"
    expect(await value('gatehouse_sse_clients')).toBe(before + 1);
    controller.abort();
    await reader.cancel().catch(() => {});
    expect(await value('gatehouse_sse_clients')).toBe(before);
  });
});
