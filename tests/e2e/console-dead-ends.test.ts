import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, withFailureShot } from '../support/e2e';
import { newId } from '@/lib/db/ids';
import { startGlancesV4Fake, type GlancesV4Fake } from '../support/glances-v4-fake';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Issue 18, item 7 and the uptime bullet, walked as a person would: from the dashboard a server's
 * name opens the server's page (not Metrics), which shows its current figures from the live
 * state, its uptime, its domains and its recent incidents; the Metrics page leads back; the
 * dashboard's uptime section shows 24 h / 30 d and a strip; upstream, certificate and incident
 * rows open detail pages; the audit log names its targets and filters by the URL; Templates counts
 * the domain that uses builtin-http by default.
 */
describe('console paths lead somewhere (issue 18)', () => {
  let app: AppServer;
  let browser: Browser;
  let glances: GlancesV4Fake;
  let db: Database.Database;
  const ids = { web: newId(), upstream: newId(), domain: newId(), cert: newId(), incident: newId() };

  beforeAll(async () => {
    glances = await startGlancesV4Fake();
    glances.setStats({ cpu: 37.5, mem: 52.5, load: [1.25, 0.75, 0.5], fs: [{ mnt_point: '/', percent: 71.5 }] });
    ({ app, browser } = await startConsole({ SCHEDULER: 'on' }));
    db = new Database(path.join(app.dataDir, 'gatehouse.db'));
    db.pragma('busy_timeout = 5000');
    const now = Date.now();
    db.prepare(`insert into servers (id, name, host, auth_method, glances_url, monitoring_enabled, created_at, updated_at) values (?, 'web-1', '127.0.0.1', 'password', ?, 1, ?, ?)`).run(ids.web, glances.baseUrl, now - 3 * HOUR, now);
    db.prepare(`insert into upstreams (id, name, method, created_at, updated_at) values (?, 'app-pool', 'round_robin', ?, ?)`).run(ids.upstream, now, now);
    db.prepare(`insert into upstream_targets (id, upstream_id, position, host, port, weight, backup, max_fails, fail_timeout_seconds) values (?, ?, 0, '127.0.0.1', 9, 1, 0, 1, 10)`).run(newId(), ids.upstream);
    db.prepare(`insert into domains (id, fqdn, aliases, server_id, upstream_id, expected_nameservers, created_at, updated_at) values (?, 'www.shop.test', '[]', ?, ?, '[]', ?, ?)`).run(ids.domain, ids.web, ids.upstream, now, now);
    db.prepare(`insert into certificates (id, source, status, names, issuer, not_before, not_after, created_at, updated_at) values (?, 'custom', 'valid', '["www.shop.test"]', 'E2E CA', ?, ?, ?, ?)`).run(ids.cert, now - 86_400_000, now + 60 * 86_400_000, now, now);
    // Three hours of 5-minute and hourly rollups, and a 30-minute outage two hours ago.
    const roll = db.prepare(`insert into metric_rollups (server_id, resolution, bucket_start, count, cpu_avg, cpu_max, memory_avg, memory_max) values (?, ?, ?, 5, 20, 30, 40, 50)`);
    const aligned5 = Math.floor(now / (5 * MIN)) * 5 * MIN;
    for (let at = aligned5 - 3 * HOUR; at < aligned5; at += 5 * MIN) roll.run(ids.web, '5m', at);
    const alignedH = Math.floor(now / HOUR) * HOUR;
    for (let at = alignedH - 3 * HOUR; at < alignedH; at += HOUR) roll.run(ids.web, '1h', at);
    db.prepare(
      `insert into alerts (id, kind, severity, key, subject_type, subject_id, subject_name, server_id, state, pending_since, started_at, resolved_at, silenced) values (?, 'server_down', 'critical', ?, 'server', ?, 'web-1', ?, 'resolved', ?, ?, ?, 0)`,
    ).run(ids.incident, `server_down:server:${ids.web}`, ids.web, ids.web, now - 2 * HOUR, now - 2 * HOUR, now - 2 * HOUR + 30 * MIN);
  });
  afterAll(async () => {
    db?.close();
    await stopConsole({ app, browser });
    await glances?.stop();
  });

  const watchConsole = (page: Page) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    return errors;
  };

  it('dashboard → server page with figures, uptime, domains and incidents → metrics and back; rows open', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await withFailureShot(page, app, 'dead-ends', async () => {
      await signIn(page, app, ADMIN);
      const patch = await page.request.patch(`${app.url}/api/v1/settings`, { data: { monitoring: { intervalSeconds: 10, downAfterFailures: 1, upAfterSuccesses: 1 } } });
      expect(patch.status()).toBe(200);

      // Dashboard: the uptime section shows both figures and the strip, with the outage.
      await page.goto(`${app.url}/`);
      const uptime = page.locator('section[aria-labelledby="uptime-heading"]');
      await uptime.getByRole('heading', { name: 'Uptime' }).waitFor();
      const day = await uptime.locator('[data-uptime="day"]').first().textContent();
      expect(day).toMatch(/^\d{1,2}(\.\d+)? %$/);
      expect(parseFloat(day!)).toBeLessThan(100);
      expect(await uptime.locator('[data-uptime="month"]').first().textContent()).toMatch(/%$/);
      expect(await uptime.locator('[data-uptime-strip] [data-state]').count()).toBe(24);
      expect(await uptime.locator('[data-uptime-strip] [data-state="down"]').count()).toBeGreaterThanOrEqual(1);
      expect(await uptime.locator('[data-uptime-strip] [data-state="up"]').count()).toBeGreaterThanOrEqual(2);
      await page.getByRole('row').filter({ has: page.locator('[data-server-name]') }).locator('[data-metric="cpu"]').getByText('37.5 %').waitFor({ timeout: 30_000 });
      await shot(page, 'dead-ends-01-dashboard');

      // The server's name opens the server's page, not Metrics.
      await page.locator('[data-server-name]').getByRole('link', { name: 'web-1' }).click();
      await page.waitForURL(`${app.url}/servers/${ids.web}`);
      await page.getByRole('heading', { name: 'web-1', level: 1 }).waitFor();
      const figures = page.getByLabel('Current figures');
      await figures.locator('[data-figure="cpu"]').getByText('37.5 %').waitFor({ timeout: 30_000 });
      await figures.locator('[data-figure="memory"]').getByText('52.5 %').waitFor();
      await figures.locator('[data-figure="disk"]').getByText('71.5 %').waitFor();
      await figures.locator('[data-figure="load"]').getByText('1.25 · 0.75 · 0.50').waitFor();
      await page.locator('[data-uptime-strip]').waitFor();
      await page.getByRole('list', { name: 'Domains on this server' }).getByRole('link', { name: 'www.shop.test' }).waitFor();
      const incidents = page.getByRole('list', { name: 'Recent incidents on this server' });
      await incidents.getByRole('link', { name: /Server down/ }).waitFor();
      await shot(page, 'dead-ends-02-server-page');

      // Metrics, then back to the server by a button, not only the breadcrumb.
      await page.getByRole('link', { name: 'History and charts →' }).click();
      await page.waitForURL(`${app.url}/servers/${ids.web}/metrics`);
      await page.getByRole('link', { name: '← Back to web-1' }).click();
      await page.waitForURL(`${app.url}/servers/${ids.web}`);

      // The incident opens its page with a timeline.
      await page.getByRole('list', { name: 'Recent incidents on this server' }).getByRole('link', { name: /Server down/ }).click();
      await page.waitForURL(`${app.url}/alerts/${ids.incident}`);
      const timeline = page.getByRole('list', { name: 'Incident timeline' });
      await timeline.getByText('The incident opened').waitFor();
      await timeline.getByText('The incident resolved').waitFor();
      await shot(page, 'dead-ends-03-incident');

      // The incidents list opens the same page.
      await page.goto(`${app.url}/alerts`);
      const resolved = page.getByRole('link', { name: 'Server down', exact: true });
      if (await resolved.count()) {
        await resolved.first().click();
        await page.waitForURL(`${app.url}/alerts/${ids.incident}`);
      }

      // Upstream and certificate rows open detail pages.
      await page.goto(`${app.url}/upstreams`);
      await page.getByRole('link', { name: 'app-pool' }).click();
      await page.waitForURL(`${app.url}/upstreams/${ids.upstream}`);
      await page.getByRole('heading', { name: 'Targets and health' }).waitFor();
      await page.getByRole('list', { name: 'Domains using this pool' }).getByRole('link', { name: 'www.shop.test' }).waitFor();
      await shot(page, 'dead-ends-04-upstream');
      await page.goto(`${app.url}/certificates`);
      await page.getByRole('link', { name: 'www.shop.test' }).first().click();
      await page.waitForURL(`${app.url}/certificates/${ids.cert}`);
      await page.getByText('E2E CA').waitFor();

      // Templates: the domain without a template uses builtin-http.
      await page.goto(`${app.url}/templates`);
      const builtin = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'builtin-http' }) });
      await builtin.waitFor();
      await builtin.getByRole('cell', { name: '1', exact: true }).waitFor();

      // Audit: a server created through the API is named, and the filter sits in the URL.
      const created = await page.request.post(`${app.url}/api/v1/servers`, { data: { name: 'db-7', host: '127.0.0.1', authMethod: 'password', password: 'x-password-1', monitoringEnabled: false } });
      expect(created.status(), await created.text()).toBe(201);
      const dbId = (await created.json()).id as string;
      await page.goto(`${app.url}/audit`);
      const entry = page.getByRole('row').filter({ hasText: 'server.create' });
      await entry.getByText('db-7').waitFor();
      expect(await entry.textContent()).not.toContain(dbId.slice(-8));
      await page.getByLabel('Action').selectOption('server.create');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/\/audit\?.*action=server\.create/);
      expect(await page.getByRole('row').filter({ hasText: 'settings.update' }).count()).toBe(0);
      await page.getByRole('row').filter({ hasText: 'server.create' }).first().waitFor();
      await shot(page, 'dead-ends-05-audit-filtered');
    });
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('the same pages fit a phone in dark mode (no sideways page scroll)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await withFailureShot(page, app, 'dead-ends-phone', async () => {
      await signIn(page, app, ADMIN);
      for (const [route, name] of [
        ['/', 'dashboard'],
        [`/servers/${ids.web}`, 'server'],
        [`/servers/${ids.web}/metrics`, 'metrics'],
        [`/alerts/${ids.incident}`, 'incident'],
        [`/upstreams/${ids.upstream}`, 'upstream'],
        [`/certificates/${ids.cert}`, 'certificate'],
        ['/audit', 'audit'],
        ['/domains/new', 'proxy-site'],
      ] as const) {
        await page.goto(`${app.url}${route}`);
        await page.locator('h1').first().waitFor();
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(wide, `${route} scrolls sideways by ${wide}px`).toBeLessThanOrEqual(0);
        await shot(page, `dead-ends-phone-${name}`);
      }
      await page.goto(`${app.url}/`);
      await page.locator('[data-uptime-server]').first().waitFor();
    });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
