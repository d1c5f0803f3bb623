import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER } from '../support/e2e';
import { newId } from '@/lib/db/ids';
import { startGlancesV4Fake, type GlancesV4Fake } from '../support/glances-v4-fake';
import { freePort } from '../support/ports';
import { startDns, type DnsServer } from '../support/dns';

/**
 * Issue #6 end to end: the scheduler polls a (fake) Glances 4 on a short interval; the dashboard
 * grid changes when the server's stats change, through the event stream, without a reload; status
 * flips to down and back; the metrics page draws its charts; settings validate; a user sees only
 * the shared server.
 */

describe('monitoring dashboard in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let glances: GlancesV4Fake;
  let db: Database.Database;
  let dns: DnsServer;
  const ids = { web: newId(), db: newId(), spare: newId(), upstream: newId(), domain: newId() };

  beforeAll(async () => {
    glances = await startGlancesV4Fake();
    glances.setStats({ cpu: 12.3, mem: 41.5, load: [0.42, 0.35, 0.3], fs: [{ mnt_point: '/', percent: 63.2 }] });
    dns = await startDns({ zones: [{ name: 'shop.test', ns: ['ns1.host.test', 'ns2.host.test'] }] });
    ({ app, browser } = await startConsole({ SCHEDULER: 'on', DNS_SERVERS: dns.server }));
    // Server rows straight into the app's database (server CRUD is another feature's screen).
    db = new Database(path.join(app.dataDir, 'gatehouse.db'));
    db.pragma('busy_timeout = 5000');
    const insert = db.prepare(
      `insert into servers (id, name, host, auth_method, glances_url, monitoring_enabled, created_at, updated_at) values (?, ?, '127.0.0.1', 'password', ?, 1, ?, ?)`,
    );
    const now = Date.now();
    insert.run(ids.web, 'web-1', glances.baseUrl, now, now);
    insert.run(ids.db, 'db-1', `http://127.0.0.1:${await freePort()}`, now, now);
    insert.run(ids.spare, 'spare-1', null, now, now);
    // A domain whose nameservers the console checks (domains are another feature's screens).
    db.prepare(`insert into upstreams (id, name, method, created_at, updated_at) values (?, 'app-pool', 'round_robin', ?, ?)`).run(ids.upstream, now, now);
    db.prepare(
      `insert into domains (id, fqdn, aliases, server_id, upstream_id, expected_nameservers, created_at, updated_at) values (?, 'www.shop.test', '[]', ?, ?, '["ns1.host.test","ns2.host.test"]', ?, ?)`,
    ).run(ids.domain, ids.web, ids.upstream, now, now);
    // Three days of history for the charts (one sample a minute, a daily wave).
    const sample = db.prepare('insert into metric_samples (server_id, at, cpu, memory, swap, disk, load1, load5, load15, net_rx, net_tx) values (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 3 * 24 * 60; i > 2; i--) {
        const at = now - i * 60_000;
        const wave = Math.sin((at / 86_400_000) * 2 * Math.PI);
        sample.run(ids.web, at, 30 + 20 * wave + (i % 7), 45 + 5 * wave, 60 + i / 1000, 0.8 + 0.5 * wave, 0.7 + 0.4 * wave, 0.6 + 0.3 * wave, 40_000 + 20_000 * wave, 9_000 + 4_000 * wave);
      }
    })();
  });
  afterAll(async () => {
    db?.close();
    await stopConsole({ app, browser });
    await glances?.stop();
    await dns?.stop();
  });

  // A row of the fleet table (the uptime section below has a row per server too).
  const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.locator('[data-server-name]').getByRole('link', { name, exact: true }) });

  it('updates the fleet grid live, shows charts, validates settings and limits users to shared servers', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log('[browser] page error:', e.message));
    page.on('framenavigated', (f) => f === page.mainFrame() && console.log('[browser] at', f.url()));
    await signIn(page, app, ADMIN);
    // A short interval, and one poll to change status either way, so the test sees both quickly.
    const patch = await page.request.patch(`${app.url}/api/v1/settings`, { data: { monitoring: { intervalSeconds: 10, downAfterFailures: 1, upAfterSuccesses: 1 } } });
    expect(patch.status()).toBe(200);

    await page.goto(`${app.url}/`);
    const web = row(page, 'web-1');
    await web.locator('[data-metric="cpu"]').getByText('12.3 %').waitFor({ timeout: 30_000 });
    await expect(web.locator('[data-metric="status"]').textContent()).resolves.toContain('up');
    await row(page, 'db-1').locator('[data-metric="status"]').getByText('down').waitFor({ timeout: 30_000 });
    // Why it is down, safe text only (no address).
    await row(page, 'db-1').getByText('Glances refused the connection; is it running with -w?').waitFor({ timeout: 15_000 });
    await expect(row(page, 'spare-1').textContent()).resolves.toContain('No Glances address set');
    await shot(page, 'monitoring-01-dashboard');

    // The stats change on the server: the grid follows through the event stream, no reload.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    glances.setStats({ cpu: 87.6, mem: 91.2, load: [3.25, 2.5, 1.75] });
    await web.locator('[data-metric="cpu"]').getByText('87.6 %').waitFor({ timeout: 30_000 });
    await web.locator('[data-metric="memory"]').getByText('91.2 %').waitFor();
    await web.locator('[data-metric="load"]').getByText('3.25 · 2.50 · 1.75').waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

    // Glances fails: down after one failed poll, up again after one good one, still no reload.
    await glances.setFailure('http500');
    await web.locator('[data-metric="status"]').getByText('down').waitFor({ timeout: 30_000 });
    await shot(page, 'monitoring-02-dashboard-server-down');
    await glances.clearFailures();
    await web.locator('[data-metric="status"]').getByText('up').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

    // Filter and sort.
    await page.getByRole('button', { name: /^Down/ }).click();
    // The fleet table (the uptime section below lists every server whatever the filter).
    const fleetLink = (name: string) => page.locator('[data-server-name]').getByRole('link', { name, exact: true });
    await expect(fleetLink('web-1').count()).resolves.toBe(0);
    await page.getByRole('button', { name: /^All/ }).click();
    await page.getByLabel('Filter servers by name').fill('web');
    await expect(fleetLink('db-1').count()).resolves.toBe(0);
    await page.getByLabel('Filter servers by name').fill('');
    await page.getByRole('button', { name: 'CPU' }).click();
    expect(await page.locator('th[aria-sort]').textContent()).toContain('CPU');

    // The server's name opens its page; its Metrics tab charts 1 h, then 7 d.
    await fleetLink('web-1').click();
    await page.waitForURL(`${app.url}/servers/${ids.web}`);
    await page.getByRole('navigation', { name: 'Server sections' }).getByRole('link', { name: 'Metrics' }).click();
    await page.waitForURL(`${app.url}/servers/${ids.web}/metrics`);
    await page.locator('canvas').first().waitFor();
    await page.getByText(/points, one point per sample/).waitFor();
    await shot(page, 'monitoring-03-metrics-1h');
    await page.getByRole('button', { name: 'Show the last 7 days' }).click();
    await page.getByText(/points, hourly averages/).waitFor();
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(5);
    await shot(page, 'monitoring-04-metrics-7d');

    // Settings: an interval below 10 s is refused beside the field.
    await page.goto(`${app.url}/settings`);
    await shot(page, 'monitoring-05-settings');
    await page.getByLabel('Poll every (seconds)').fill('5');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.getByText('At least 10 seconds.').waitFor();
    await shot(page, 'monitoring-06-settings-error');
    await page.getByLabel('Poll every (seconds)').fill('15');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.getByText(/Saved the monitoring settings/).waitFor();
    const settings = await (await page.request.get(`${app.url}/api/v1/settings`)).json();
    expect(settings.monitoring.intervalSeconds).toBe(15);

    // A domain's nameservers: checked on demand from its page, against the real DNS server.
    await page.goto(`${app.url}/domains/${ids.domain}`);
    const ns = page.locator('[data-dns-status]');
    await ns.getByRole('button', { name: 'Check nameservers now' }).click();
    await page.locator('[data-dns-status="ok"]').getByText('ns1.host.test').waitFor({ timeout: 15_000 });
    await shot(page, 'monitoring-07-domain-nameservers');

    // Dark mode.
    const dark = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark', storageState: await ctx.storageState() });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${app.url}/`);
    await row(darkPage, 'web-1').locator('[data-metric="cpu"]').getByText('%').waitFor();
    await shot(darkPage, 'monitoring-08-dashboard-dark');
    await darkPage.goto(`${app.url}/servers/${ids.web}/metrics`);
    await darkPage.locator('canvas').first().waitFor();
    await shot(darkPage, 'monitoring-09-metrics-dark');

    // A user sees only the server shared with them; another server's metrics are a 404.
    const created = await page.request.post(`${app.url}/api/v1/users`, { data: { email: USER.email, password: USER.password, role: 'user', name: 'Uma' } });
    expect(created.status()).toBe(201);
    const userId = (await created.json()).id;
    db.prepare('insert into server_shares (server_id, user_id) values (?, ?)').run(ids.web, userId);
    const userPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(userPage, app, USER);
    await userPage.getByRole('list', { name: 'Servers with their status and latest metrics' }).getByRole('link', { name: 'web-1', exact: true }).waitFor();
    expect(await userPage.getByRole('link', { name: 'db-1', exact: true }).count()).toBe(0);
    expect(await userPage.content()).not.toContain('href="/settings"');
    await shot(userPage, 'monitoring-10-user-phone');
    expect((await userPage.request.get(`${app.url}/api/v1/servers/${ids.db}/metrics`)).status()).toBe(404);
    await userPage.goto(`${app.url}/servers/${ids.db}/metrics`);
    await userPage.getByText(/not found/i).first().waitFor();
  });
});
