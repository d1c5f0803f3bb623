import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppServer } from '../support/app-server';
import { parsePrometheusText, seriesValue } from '../support/prometheus-text';

/**
 * GET /metrics in the built app (`next start`): the route sits at the root outside /api/v1, and
 * what the API route bundles count is what the metrics route shows (one registry per process,
 * however Next.js splits the bundles). The integration suite covers the series themselves.
 */
const TOKEN = 'e2e-metrics-token-0123456789';

describe('GET /metrics in the built app', () => {
  let app: AppServer;
  beforeAll(async () => {
    app = await startApp({ SCHEDULER: 'off', METRICS_TOKEN: TOKEN });
  });
  afterAll(() => app?.stop());

  it('refuses without the token and counts requests served by other route bundles', async () => {
    const denied = await fetch(`${app.url}/metrics`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: 'unauthorized' } });

    for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/api/v1/health`)).status).toBe(200);
    expect((await fetch(`${app.url}/api/v1/servers`)).status).toBe(401);
    const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await res.text());
    // startApp's own readiness polls hit /api/v1/health too: at least the three here.
    expect(seriesValue(families, 'gatehouse_http_requests_total', { method: 'GET', route: '/api/v1/health', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(seriesValue(families, 'gatehouse_http_requests_total', { method: 'GET', route: '/api/v1/servers', status: '401' })).toBe(1);
    expect(seriesValue(families, 'gatehouse_servers', { status: 'up' })).toBe(0);
    expect(families.get('gatehouse_nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect(seriesValue(families, 'gatehouse_db_lane_waiting')).toBe(0);
    for (const name of families.keys()) expect(name).toMatch(/^gatehouse_/);
  });
});
