import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER } from '../support/e2e';
import { newId } from '@/lib/db/ids';
import { startTelegramFake, type TelegramFake } from '../support/telegram-fake';
import { waitFor } from '../support/wait';

/**
 * Issue #7 in the browser: Telegram set up in Settings with a test message; an incident appears
 * on the Alerts page live (event stream, no reload) and reaches the fake Bot API once; rules are
 * edited with errors beside the fields; a per-server override and a silence are created; the
 * incident resolves into the past list; a user sees only shared servers' incidents, read-only.
 */
const BOT_TOKEN = '123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOpp';

describe('alerting console in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let tg: TelegramFake;
  let db: Database.Database;
  const ids = { web: newId(), db: newId(), pool: newId(), shop: newId() };

  beforeAll(async () => {
    tg = await startTelegramFake();
    ({ app, browser } = await startConsole({ SCHEDULER: 'on', TELEGRAM_API_URL: tg.apiRoot }));
    // Rows other features would write (servers, a domain), straight into the app's database.
    db = new Database(path.join(app.dataDir, 'gatehouse.db'));
    db.pragma('busy_timeout = 5000');
    const now = Date.now();
    const server = db.prepare(`insert into servers (id, name, host, auth_method, status, monitoring_enabled, created_at, updated_at) values (?, ?, '10.0.0.5', 'password', 'up', 1, ?, ?)`);
    server.run(ids.web, 'web-1', now, now);
    server.run(ids.db, 'db-1', now, now);
    db.prepare(`insert into upstreams (id, name, method, created_at, updated_at) values (?, 'app', 'round_robin', ?, ?)`).run(ids.pool, now, now);
    db.prepare(
      `insert into domains (id, fqdn, aliases, server_id, upstream_id, expected_nameservers, created_at, updated_at) values (?, 'shop.example.com', '[]', ?, ?, '[]', ?, ?)`,
    ).run(ids.shop, ids.web, ids.pool, now, now);
  });
  afterAll(async () => {
    db?.close();
    await stopConsole({ app, browser });
    await tg?.stop();
  });

  it('sets up Telegram, shows incidents live, edits rules, overrides and silences; users see their share only', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, app, ADMIN);

    // Settings → Telegram: write-only token, chat id, a test message through the fake Bot API.
    await page.goto(`${app.url}/settings`);
    const card = page.locator('section').filter({ has: page.locator('#telegram') });
    await card.getByLabel(/^Bot token/).fill('not-a-token');
    await card.getByLabel('Chat id').fill('-100200300');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText(/A bot token looks like/).waitFor();
    await shot(page, 'alerts-01-telegram-error');
    await card.getByLabel(/^Bot token/).fill(BOT_TOKEN);
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the Telegram settings.').first().waitFor();
    await card.getByText('set', { exact: true }).first().waitFor();
    expect(await page.content()).not.toContain(BOT_TOKEN);
    await card.getByRole('button', { name: 'Send test message' }).click();
    await card.getByText('Test message sent.').waitFor();
    expect(tg.messages.map((m) => [m.token, m.chat_id])).toEqual([[BOT_TOKEN, '-100200300']]);
    await shot(page, 'alerts-02-telegram-settings');

    // An incident appears on the open page through the event stream, and Telegram gets it once.
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.waitForURL(`${app.url}/alerts`);
    await page.getByRole('heading', { name: 'Open incidents' }).waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    db.prepare(`update servers set status = 'down' where id = ?`).run(ids.web);
    const open = page.locator('section').filter({ hasText: 'Open incidents' });
    await open.getByRole('link', { name: 'web-1' }).waitFor({ timeout: 45_000 });
    await open.getByText('Server down').waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    // (The app's own DNS check may open a nameserver incident for the domain too: no resolver here.)
    const texts = () => tg.messages.map((m) => m.text!);
    await waitFor(() => texts().some((t) => t.includes('Server unreachable')), { timeoutMs: 20_000 });
    const fired = tg.messages.find((m) => m.text!.includes('Server unreachable'));
    expect(fired!.text).toContain('web-1');
    expect(fired!.text).not.toContain('10.0.0.5');
    await shot(page, 'alerts-03-incident-open');

    // Rules: a bad threshold is refused beside its field; a good one saves.
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.waitForURL(`${app.url}/alerts/rules`);
    await shot(page, 'alerts-04-rules');
    await page.getByRole('button', { name: 'Edit the CPU rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/CPU usage at or above/).fill('150');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Use a value from 1 to 100.').waitFor();
    await shot(page, 'alerts-05-rule-error');
    await dialog.getByLabel(/CPU usage at or above/).fill('92');
    await dialog.getByLabel('For (minutes)').fill('10');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the rule.').first().waitFor();
    await page.getByRole('cell', { name: 'CPU ≥ 92 %' }).waitFor();

    // A per-server override.
    await page.getByRole('button', { name: 'New override' }).click();
    await dialog.getByLabel('Server').selectOption({ label: 'db-1' });
    await dialog.getByLabel('Kind').selectOption({ label: 'Memory' });
    await dialog.getByLabel(/Memory usage at or above/).fill('97');
    await dialog.getByRole('button', { name: 'Add override' }).click();
    await page.getByText('Added the override.').first().waitFor();
    await page.getByRole('cell', { name: 'Memory ≥ 97 %' }).waitFor();
    await shot(page, 'alerts-06-rules-override');

    // A silence for db-1, then ended early.
    await page.getByRole('link', { name: 'Silences' }).click();
    await page.waitForURL(`${app.url}/alerts/silences`);
    await page.getByRole('button', { name: 'New silence' }).click();
    await dialog.getByRole('button', { name: 'Create silence' }).click();
    await dialog.getByText('Choose a server or a domain.').first().waitFor();
    await dialog.getByLabel('Silence').selectOption({ label: 'Server: db-1 (and its domains)' });
    await dialog.getByLabel(/^Reason/).fill('Kernel upgrade');
    await dialog.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('cell', { name: 'Server db-1', exact: true }).waitFor();
    await page.getByText('Kernel upgrade').waitFor();
    await shot(page, 'alerts-07-silences');

    // The server comes back: after the clear window the incident moves to the past list, live.
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.waitForURL(`${app.url}/alerts`);
    db.prepare(`update servers set status = 'up' where id = ?`).run(ids.web);
    const past = page.locator('section').filter({ hasText: 'Past incidents' });
    await past.getByRole('link', { name: 'web-1' }).waitFor({ timeout: 120_000 });
    await waitFor(async () => (await open.getByRole('link', { name: 'web-1' }).count()) === 0, { timeoutMs: 20_000 });
    await waitFor(() => texts().some((t) => t.includes('Server reachable again')), { timeoutMs: 20_000 });
    expect(texts().filter((t) => t.includes('Server unreachable'))).toHaveLength(1);
    expect(texts().filter((t) => t.includes('Server reachable again'))).toHaveLength(1);
    await shot(page, 'alerts-08-incident-resolved');

    const dark = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark', storageState: await ctx.storageState() })).newPage();
    await dark.goto(`${app.url}/alerts`);
    await dark.getByRole('heading', { name: 'Past incidents' }).waitFor();
    await shot(dark, 'alerts-09-incidents-dark');
    await dark.goto(`${app.url}/alerts/rules`);
    await shot(dark, 'alerts-10-rules-dark');

    // A user with db-1 shared: no web-1 incident, rules read-only, no admin controls.
    const created = await page.request.post(`${app.url}/api/v1/users`, { data: { email: USER.email, password: USER.password, role: 'user', name: 'Uma' } });
    expect(created.status()).toBe(201);
    db.prepare('insert into server_shares (server_id, user_id) values (?, ?)').run(ids.db, (await created.json()).id);
    const userPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(userPage, app, USER);
    await userPage.goto(`${app.url}/alerts`);
    await userPage.getByRole('heading', { name: 'Past incidents' }).waitFor();
    expect(await userPage.getByRole('link', { name: 'web-1' }).count()).toBe(0);
    await shot(userPage, 'alerts-11-user-phone');
    await userPage.goto(`${app.url}/alerts/rules`);
    await userPage.getByRole('cell', { name: 'Memory ≥ 97 %' }).waitFor();
    expect(await userPage.getByRole('button', { name: /New override|Edit/ }).count()).toBe(0);
    expect((await userPage.request.post(`${app.url}/api/v1/silences`, { data: { serverId: ids.db, endsAt: new Date(Date.now() + 3600_000).toISOString() } })).status()).toBe(403);
  });
});
