import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, withFailureShot } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';

const enabled = requireBinary('sshd', 'ssh-keygen', 'chromium');

/**
 * Issue 17 items 3 and 6 in the browser: tag a server in its form (the chip input, by keyboard),
 * filter the list by tag through the URL, tick two servers and run a bulk connection test whose
 * task page shows progress and each server's outcome; the dashboard's busiest-servers view.
 */
describe.skipIf(!enabled)('tags, bulk actions and fleet history in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let closedPort: number;

  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'root' }] });
    closedPort = await freePort();
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await sshd?.stop();
  });

  it('tags a server, filters by tag via the URL, bulk-tests two servers, shows the busiest servers', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await withFailureShot(page, app, 'tags-bulk', () => walkThrough(page));
  });

  async function addByApi(page: Page, name: string, tags: string[], port = sshd.port) {
    const r = await page.request.post(`${app.url}/api/v1/servers`, {
      data: { name, host: sshd.host, sshPort: port, sshUser: sshd.user('root').username, authMethod: 'key', privateKey: sshd.user('root').privateKey, tags },
    });
    expect(r.status(), await r.text()).toBe(201);
    return ((await r.json()) as { id: string }).id;
  }

  async function walkThrough(page: Page) {
    await signIn(page, app, ADMIN);

    // Tag a server in the add form: type, Enter; type, comma; a chip's × removes it.
    await page.goto(`${app.url}/servers`);
    await page.getByRole('button', { name: 'Add server' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('edge-a');
    await dialog.getByLabel('Host', { exact: true }).fill(sshd.host);
    await dialog.getByLabel('SSH port').fill(String(sshd.port));
    await dialog.getByLabel('Private key').fill(sshd.user('root').privateKey!);
    const tagBox = dialog.getByRole('textbox', { name: /^Tags/ });
    await tagBox.fill('Web');
    await tagBox.press('Enter');
    await tagBox.pressSequentially('eu,');
    await tagBox.pressSequentially('oops');
    await tagBox.press('Enter');
    await dialog.getByRole('button', { name: 'Remove tag oops' }).click();
    await expect.poll(() => dialog.getByRole('list', { name: 'Tags added' }).getByRole('listitem').allTextContents()).toEqual(['web×', 'eu×']);
    await shot(page, 'tags-01-server-form-chips');
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await page.waitForURL(/\/servers\/[^/?]+\?added=1$/);
    const chips = page.getByRole('list', { name: 'Tags' });
    await chips.getByRole('link', { name: 'web' }).waitFor();
    await chips.getByRole('link', { name: 'eu' }).waitFor();

    await addByApi(page, 'edge-b', ['web']);
    await addByApi(page, 'edge-c', ['db']);
    await addByApi(page, 'broken', ['web', 'eu'], closedPort);

    // A filtered view is a URL: /servers?tag=web; the filter's links add a tag (?tag=eu&tag=web).
    await page.goto(`${app.url}/servers?tag=web`);
    const table = page.getByRole('table', { name: 'Servers' });
    await table.getByRole('link', { name: 'edge-b' }).waitFor();
    const shownNames = () => table.locator('tbody tr td:nth-child(2) a[href^="/servers/"]').allTextContents();
    expect((await shownNames()).sort()).toEqual(['broken', 'edge-a', 'edge-b']);
    await shot(page, 'tags-02-servers-filtered-web');
    await page.getByRole('navigation', { name: 'Filter by tag' }).getByRole('link', { name: 'eu' }).click();
    await page.waitForURL(/\/servers\?tag=eu&tag=web$/);
    await expect.poll(async () => (await shownNames()).sort()).toEqual(['broken', 'edge-a']);

    // Tick two servers → bulk connection test → one task with progress and each outcome.
    await page.getByLabel('Select edge-a').check();
    await page.getByLabel('Select broken').check();
    const bulk = page.getByRole('form', { name: 'Bulk actions' });
    await bulk.getByText('Act on 2 selected servers:').waitFor();
    await bulk.getByLabel('Bulk action').selectOption('test');
    await shot(page, 'tags-03-bulk-selection');
    await bulk.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/tasks\/[^/]+$/);
    const taskId = page.url().split('/').pop()!;
    const log = page.getByRole('log', { name: 'Task log' });
    await page.getByText('failed', { exact: true }).first().waitFor({ timeout: 60_000 });
    await log.getByText(/^\[1\/2\] ok edge-a: connection test passed/).waitFor();
    await log.getByText(/^\[2\/2\] failed broken: /).waitFor();
    await log.getByText('Done: 1 succeeded, 1 failed, 0 skipped.').waitFor();
    await page.getByText('1 of 2 servers failed: broken.').first().waitFor();
    await expect.poll(() => page.getByRole('progressbar', { name: 'Progress' }).getAttribute('aria-valuenow')).toBe('100');
    const task = (await (await page.request.get(`${app.url}/api/v1/tasks/${taskId}`)).json()) as { kind: string; progress: number; status: string };
    expect(task).toMatchObject({ kind: 'bulk.run', progress: 100, status: 'failed' });
    await shot(page, 'tags-04-bulk-task-outcomes');

    // The dashboard's fleet history: roll-ups straight into the app's database.
    const db = new Database(path.join(app.dataDir, 'gatehouse.db'));
    db.pragma('busy_timeout = 5000');
    const servers = db.prepare('select id, name from servers order by name').all() as { id: string; name: string }[];
    const insert = db.prepare(
      `insert into metric_rollups (server_id, resolution, bucket_start, count, cpu_avg, cpu_max, memory_avg, memory_max, disk_avg, disk_max) values (?, ?, ?, 12, ?, ?, ?, ?, ?, ?)`,
    );
    const hour = 3_600_000;
    const now = Math.floor(Date.now() / hour) * hour;
    servers.forEach((s, i) => {
      for (let h = 1; h <= 6; h++) {
        const cpu = 15 + i * 20 + h;
        insert.run(s.id, '5m', now - h * hour, cpu, Math.min(100, cpu + 15), 30 + i * 12, 45 + i * 12, 90 - i * 20, 92 - i * 20);
        insert.run(s.id, '1h', now - h * 24 * hour, cpu / 2, cpu, 20 + i * 5, 30 + i * 5, 50, 60);
      }
    });
    db.close();
    await page.goto(`${app.url}/`);
    const busiest = page.getByRole('region', { name: 'CPU' });
    await page.getByRole('heading', { name: 'Busiest servers' }).waitFor();
    await expect.poll(() => busiest.getByRole('link').allTextContents()).toEqual(['edge-c', 'edge-b', 'edge-a', 'broken']);
    await page.getByRole('heading', { name: 'Busiest servers' }).scrollIntoViewIfNeeded();
    await shot(page, 'fleet-history-01-24h');
    await page.getByRole('navigation', { name: 'History window' }).getByRole('link', { name: '7 days' }).click();
    await page.waitForURL(/\/\?window=7d$/);
    await page.getByRole('navigation', { name: 'History window' }).getByRole('link', { name: '7 days', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
    await page.getByRole('heading', { name: 'Busiest servers' }).scrollIntoViewIfNeeded();
    await shot(page, 'fleet-history-02-7d');
    // The dashboard's tag filter keeps the window and narrows grid and history alike.
    await page.getByRole('navigation', { name: 'Filter by tag' }).getByRole('link', { name: 'web' }).click();
    await page.waitForURL(/\/\?window=7d&tag=web$/);
    await expect.poll(() => busiest.getByRole('link').allTextContents()).toEqual(['edge-b', 'edge-a', 'broken']);
    await page.getByRole('heading', { name: 'Busiest servers' }).scrollIntoViewIfNeeded();
    await shot(page, 'fleet-history-03-7d-tag-web');
  }
});
