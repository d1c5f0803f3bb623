import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER, withFailureShot } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { requireBinary } from '../support/process';

const enabled = requireBinary('sshd', 'ssh-keygen', 'nginx', 'chromium');

/**
 * Issue #3 in the browser: an admin adds a server in the modal, tests the connection, installs
 * Nginx and watches the task's log lines arrive live and in order; a user it is shared with sees
 * it read-only and nothing else.
 */
describe.skipIf(!enabled)('servers and live task logs in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let slowNginx: string;

  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'root' }] });
    nginx = await startNginx();
    // A slow server: every nginx call takes a moment, so the install task's lines are written
    // over a few seconds while the page watches (this delays the remote side, not the test).
    slowNginx = path.join(nginx.prefix, 'sbin', 'slow-nginx');
    fs.writeFileSync(slowNginx, `#!/bin/sh\nsleep 0.6\nexec ${nginx.wrapper} "$@"\n`, { mode: 0o755 });
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await nginx?.stop();
    await sshd?.stop();
  });

  it('adds a server, tests it, installs Nginx with a live log, and shares it read-only', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await withFailureShot(page, app, 'servers', () => walkThrough(page));
  });

  async function walkThrough(page: Page) {
    await signIn(page, app, ADMIN);
    await page.getByRole('link', { name: 'Servers' }).first().click();
    await page.getByText('No servers yet').waitFor();
    await shot(page, 'servers-01-empty');

    // Add: a form error first (no key), then the real thing with a custom Nginx layout.
    await page.getByRole('button', { name: 'Add server' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('edge-1');
    await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await dialog.getByLabel('SSH port').fill(String(sshd.port));
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await dialog.getByText('Paste the private key.').waitFor();
    await shot(page, 'servers-02-add-form-error');
    await dialog.getByLabel('Private key').fill(sshd.user('root').privateKey!);
    await dialog.getByLabel('Nginx is not where the distro puts it').check();
    await dialog.getByLabel('Managed directory').fill(path.join(nginx.prefix, 'gatehouse'));
    await dialog.getByLabel('Main config').fill(nginx.confFile);
    await dialog.getByLabel('Command', { exact: true }).fill(slowNginx);
    await dialog.getByLabel('PID file').fill(nginx.pidFile);
    await dialog.getByRole('button', { name: 'Add server' }).click();
    await page.waitForURL(/\/servers\/[^/?]+\?added=1$/);
    await page.getByText('Server added').waitFor();
    await shot(page, 'servers-03-detail-new');

    // Connection test → its task page; the log says what was found.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.waitForURL(/\/tasks\/[^/]+$/);
    const log = page.getByRole('log', { name: 'Task log' });
    await page.getByText('succeeded', { exact: true }).waitFor({ timeout: 30_000 });
    await log.getByText(`✓ Host key ${sshd.hostKeyFingerprint}`, { exact: false }).waitFor();
    await log.getByText('✓ Runs commands as root').waitFor();
    await shot(page, 'servers-04-test-task');

    await page.getByRole('link', { name: 'Back to edge-1' }).click();
    await page.getByText(sshd.hostKeyFingerprint).first().waitFor();
    await page.getByText(/Debian GNU\/Linux 12/).first().waitFor();

    // Install Nginx and watch the lines arrive.
    await page.getByRole('button', { name: /Install Nginx|Check Nginx set-up/ }).click();
    await page.waitForURL(/\/tasks\/[^/]+$/);
    const taskId = page.url().split('/').pop()!;
    await log.waitFor();
    const initial = await page.evaluate(() => {
      const el = document.querySelector('[role=log]')!;
      const w = window as unknown as { __arrived: number[] };
      w.__arrived = [];
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement && n.dataset.seq) w.__arrived.push(Number(n.dataset.seq));
      }).observe(el, { childList: true });
      return [...el.querySelectorAll('[data-seq]')].map((n) => Number((n as HTMLElement).dataset.seq));
    });
    await page.getByText('succeeded', { exact: true }).waitFor({ timeout: 60_000 });
    await log.getByText(/✓ Nginx 1\.22\.1 is installed and running/).waitFor();
    const arrived = await page.evaluate(() => (window as unknown as { __arrived: number[] }).__arrived);
    const shown = await page.locator('[role=log] [data-seq]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
    const api = await page.request.get(`${app.url}/api/v1/tasks/${taskId}/logs`);
    const lines = ((await api.json()) as { lines: { seq: number; text: string }[] }).lines;
    // Every line, once, in order; most of them arrived live after the page was shown.
    expect(shown).toEqual(lines.map((l) => l.seq));
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => i + 1));
    expect(arrived.length).toBeGreaterThanOrEqual(3);
    expect(arrived).toEqual([...arrived].sort((a, b) => a - b));
    expect([...initial, ...arrived]).toEqual(shown);
    await shot(page, 'servers-05-install-task-live-log');

    // Dark mode, same page.
    await page.evaluate(() => localStorage.setItem('gatehouse-theme', 'dark'));
    await page.reload();
    await log.waitFor();
    await shot(page, 'servers-06-install-task-dark');
    await page.evaluate(() => localStorage.setItem('gatehouse-theme', 'light'));

    // Share with a new user through the API (a token made in this session), then look as them.
    const token = ((await (await page.request.post(`${app.url}/api/v1/tokens`, { data: { name: 'e2e' } })).json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    const user = (await (await page.request.post(`${app.url}/api/v1/users`, { headers: auth, data: { email: 'uma@example.test', password: 'user-password-1' } })).json()) as { id: string };
    const servers = (await (await page.request.get(`${app.url}/api/v1/servers`, { headers: auth })).json()) as { items: { id: string }[] };
    const serverId = servers.items[0].id;
    const hidden = (await (await page.request.post(`${app.url}/api/v1/servers`, { headers: auth, data: { name: 'hidden-1', host: '10.0.0.9', authMethod: 'password', password: 'x-password' } })).json()) as { id: string };
    await page.goto(`${app.url}/servers/${serverId}`);
    await page.getByRole('button', { name: 'Share' }).click();
    await page.getByRole('dialog').getByLabel(/uma@example\.test/).check();
    await page.getByRole('dialog').getByRole('button', { name: 'Save sharing' }).click();
    await page.getByText('edge-1 is shared with 1 user.').waitFor();
    await page.goto(`${app.url}/servers`);
    await page.getByRole('link', { name: 'edge-1' }).waitFor();
    await shot(page, 'servers-07-list-admin');

    const userPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(userPage, app, USER);
    await userPage.goto(`${app.url}/servers`);
    await userPage.getByRole('link', { name: 'edge-1' }).waitFor();
    expect(await userPage.getByRole('link', { name: 'hidden-1' }).count()).toBe(0);
    expect(await userPage.getByRole('button', { name: 'Add server' }).count()).toBe(0);
    await shot(userPage, 'servers-08-list-user-phone');
    await userPage.getByRole('link', { name: 'edge-1' }).click();
    await userPage.getByRole('heading', { name: 'edge-1' }).waitFor();
    for (const name of ['Test connection', 'Edit', 'Share', 'Delete', 'Install Glances']) expect(await userPage.getByRole('button', { name }).count()).toBe(0);
    await shot(userPage, 'servers-09-detail-user-phone');
    // Not shared is "not found" (the console streams, so the page says it; the API answers 404).
    await userPage.goto(`${app.url}/servers/${hidden.id}`);
    await userPage.getByText('Not found').waitFor();
    expect(await userPage.getByText('hidden-1').count()).toBe(0);
    expect((await userPage.request.get(`${app.url}/api/v1/servers/${hidden.id}`)).status()).toBe(404);
    expect(user.id).toBeTruthy();
  }
});
