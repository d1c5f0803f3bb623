/**
 * Issue 18 in the browser: paths a person walks that broke or left them guessing, each walked as
 * a person would against the built app and real parts (sshd, SQLite, Chromium):
 *   1. multi-line fields sent with CRLF by the browser (a custom template previewed and created,
 *      custom directives, PEM fields) are accepted and stored with LF;
 *   2. a task's page reaches its final state every time and its elapsed time ticks; a live list
 *      shows what changed while the reader was on another page (client-side navigation);
 *   3. Metrics → 7d on a new server spans those 7 days, not years around one sample;
 *   6. a silence shows on the incident it covers;
 *   8. a user opening an admin-only page gets a 403 page (404 for what is not shared), with no
 *      console error and no stack trace in the server log.
 */
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER, withFailureShot } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary } from '../support/process';
import { makeChain } from '../integration/certs-openssl';
import { newId } from '@/lib/db/ids';

const enabled = requireBinary('sshd', 'ssh-keygen', 'openssl', 'chromium');

describe.skipIf(!enabled)('console paths of issue 18', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let db: Database.Database;
  /** A TCP port that accepts and never says a word: an SSH connection test there runs until its timeout. */
  let silent: net.Server;
  const held: net.Socket[] = [];
  const ids = { user: '', edge: '', hidden: '', quiet: '', upstream: '', domain: '', hiddenTask: '' };

  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'root' }] });
    silent = net.createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
    db = new Database(path.join(app.dataDir, 'gatehouse.db'));
    db.pragma('busy_timeout = 5000');

    // The records these walks start from, through the API of one admin session.
    const page = await (await browser.newContext()).newPage();
    await signIn(page, app, ADMIN);
    const post = async (url: string, data: unknown) => {
      const r = await page.request.post(`${app.url}/api/v1${url}`, { data });
      expect(r.status(), await r.text()).toBeLessThan(300);
      return (await r.json()) as Record<string, string>;
    };
    ids.user = (await post('/users', { ...USER, role: 'user', name: 'Uma' })).id;
    const key = sshd.user('root').privateKey!;
    ids.edge = (await post('/servers', { name: 'edge-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: key, monitoringEnabled: false, sharedWith: [ids.user] })).id;
    ids.hidden = (await post('/servers', { name: 'hidden-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: key, monitoringEnabled: false })).id;
    const quietPort = (silent.address() as net.AddressInfo).port;
    ids.quiet = (await post('/servers', { name: 'quiet-1', host: '127.0.0.1', sshPort: quietPort, authMethod: 'password', password: 'pw-quiet-1', monitoringEnabled: false })).id;
    ids.upstream = (await post('/upstreams', { name: 'shop-pool', targets: [{ host: '127.0.0.1', port: 8080 }] })).id;
    ids.domain = (await post('/domains', { fqdn: 'shop.e2e.test', serverId: ids.edge, upstreamId: ids.upstream })).id;
    ids.hiddenTask = (await post(`/servers/${ids.hidden}/test`, {})).taskId;
    await page.context().close();
  });
  afterAll(async () => {
    db?.close();
    await stopConsole({ app, browser });
    for (const s of held) s.destroy();
    await new Promise((r) => silent?.close(r));
    await sshd?.stop();
  });

  /** Console errors of a page, except Chromium's note that a document answered 403 or 404 (what is asked for). */
  function consoleErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() !== 'error') return;
      if (/^Failed to load resource: the server responded with a status of 40[34]/.test(m.text()) && m.location().url === page.url()) return;
      errors.push(`${m.text()} (${m.location().url}, on ${page.url()})`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    return errors;
  }

  it('8: a user opening admin-only pages gets 403, what is not shared 404; no console error, no stack in the log', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'paths-forbidden', async () => {
      await signIn(page, app, USER);
      const logBefore = app.logs().length;
      const adminOnly = ['/users', '/audit', '/settings', '/templates', '/templates/new', '/templates/builtin-http'];
      for (const route of adminOnly) {
        const res = await page.goto(`${app.url}${route}`);
        expect(res?.status(), route).toBe(403);
        await page.getByRole('heading', { name: 'Only an admin can see this page' }).waitFor();
        // Still the console around it, with a way back.
        await page.getByRole('link', { name: 'Back to the dashboard' }).waitFor();
      }
      await shot(page, 'paths-01-user-forbidden');
      const notShared = [`/servers/${ids.hidden}`, `/servers/${ids.hidden}/metrics`, `/tasks/${ids.hiddenTask}`, '/domains/no-such-domain'];
      for (const route of notShared) {
        const res = await page.goto(`${app.url}${route}`);
        expect(res?.status(), route).toBe(404);
        await page.getByRole('heading', { name: 'Not found' }).waitFor();
        expect(await page.getByText('hidden-1').count()).toBe(0);
      }
      await shot(page, 'paths-02-user-not-found');
      // What is shared still opens.
      expect((await page.goto(`${app.url}/servers/${ids.edge}`))?.status()).toBe(200);
      await page.getByRole('heading', { name: 'edge-1' }).waitFor();
      expect(errors).toEqual([]);
      const log = app.logs().slice(logBefore);
      expect(log).not.toMatch(/\n\s+at /);
      expect(log).not.toContain('Only an admin can see this page');
    });
    await page.context().close();
  });

  it('1: a custom template is previewed and created from the console; CRLF fields are stored with LF', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'paths-crlf', async () => {
      await signIn(page, app, ADMIN);
      const get = async (url: string) => (await (await page.request.get(`${app.url}/api/v1${url}`)).json()) as Record<string, unknown>;

      // Templates → builtin-http → start one from it → preview → create.
      await page.getByRole('link', { name: 'Templates' }).first().click();
      await page.getByRole('link', { name: 'builtin-http' }).click();
      await page.getByRole('link', { name: 'Start a template from this one' }).click();
      await page.getByLabel('Name', { exact: true }).fill('my-http');
      const body = page.getByLabel('Template body');
      await body.press('Control+End');
      await body.pressSequentially('\n# tuned for shop\n');
      await page.getByRole('button', { name: 'Preview' }).click();
      const rendered = page.locator('pre').filter({ hasText: 'server_name shop.e2e.test' });
      await rendered.waitFor();
      await rendered.getByText('# tuned for shop').waitFor();
      expect(await page.getByText('control characters').count()).toBe(0);
      await shot(page, 'paths-03-template-preview');
      await page.getByRole('button', { name: 'Create template' }).click();
      await page.waitForURL(/\/templates\/[^/?]+\?created=1$/);
      const templateId = new URL(page.url()).pathname.split('/').pop()!;
      const stored = (await get(`/templates/${templateId}`)).body as string;
      expect(stored).toContain('\n# tuned for shop\n');
      expect(stored).not.toContain('\r');
      await shot(page, 'paths-04-template-created');

      // Custom directives on a domain, from the domain form.
      await page.getByRole('link', { name: 'Domains' }).first().click();
      await page.getByRole('button', { name: 'New domain' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Domain name').fill('blog.e2e.test');
      await dialog.getByLabel(/^Custom directives/).fill('gzip on;\nproxy_read_timeout 60s;');
      await dialog.getByRole('button', { name: 'Add domain' }).click();
      await page.getByRole('link', { name: 'blog.e2e.test' }).waitFor();
      const domains = (await get('/domains?limit=500')).items as Array<{ fqdn: string; customDirectives: string }>;
      expect(domains.find((d) => d.fqdn === 'blog.e2e.test')?.customDirectives).toBe('gzip on;\nproxy_read_timeout 60s;');

      // PEM fields: a certificate with its key and chain, pasted into the upload form.
      const chain = makeChain(['shop.e2e.test']);
      await page.getByRole('link', { name: 'Certificates' }).first().click();
      await page.getByRole('button', { name: 'Upload certificate' }).click();
      await dialog.getByLabel('Certificate', { exact: true }).fill(chain.leaf.certPem);
      await dialog.getByLabel('Private key').fill(chain.leaf.keyPem);
      await dialog.getByLabel('Chain').fill(chain.intermediate.certPem);
      await dialog.getByRole('button', { name: 'Upload' }).click();
      await page.getByRole('cell', { name: /shop\.e2e\.test/ }).first().waitFor();
      const certs = (await get('/certificates')).items as Array<{ id: string }>;
      const cert = await get(`/certificates/${certs[0].id}`);
      expect(String(cert.certificatePem)).toContain('-----BEGIN CERTIFICATE-----\n');
      expect(`${cert.certificatePem}${cert.chainPem}`).not.toContain('\r');
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('2: a task page reaches its final state every time, its elapsed time ticks, and lists show what changed meanwhile', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'paths-tasks', async () => {
      await signIn(page, app, ADMIN);
      // Fast connection tests (a fraction of a second each): every one ends "succeeded" on its page.
      for (let run = 1; run <= 6; run++) {
        await page.goto(`${app.url}/servers/${ids.edge}`);
        await page.getByRole('button', { name: 'Test connection' }).click();
        await page.waitForURL(/\/tasks\/[^/]+$/);
        await page.getByText('succeeded', { exact: true }).waitFor({ timeout: 30_000 });
        await page.getByText(/^took /).waitFor();
        expect(await page.getByText('Running…').count(), `run ${run}`).toBe(0);
      }
      await shot(page, 'paths-05-task-succeeded');

      // A connection test that hangs on a silent port: the page says for how long it has run.
      await page.goto(`${app.url}/servers/${ids.quiet}`);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.waitForURL(/\/tasks\/[^/]+$/);
      const elapsed = page.getByText(/^running for /);
      await elapsed.waitFor({ timeout: 30_000 });
      const first = await elapsed.textContent();
      await expect.poll(() => elapsed.textContent(), { timeout: 10_000 }).not.toBe(first);
      await shot(page, 'paths-06-task-running-timer');
      await page.getByText('failed', { exact: true }).waitFor({ timeout: 120_000 });
      await page.getByText(/^took /).waitFor();

      // The servers list, then another page while a server is added, then back by the nav.
      await page.getByRole('link', { name: 'Servers' }).first().click();
      await page.getByRole('link', { name: 'edge-1' }).waitFor();
      await page.getByRole('link', { name: 'Tasks' }).first().click();
      await page.waitForURL(`${app.url}/tasks`);
      const added = await page.request.post(`${app.url}/api/v1/servers`, { data: { name: 'late-1', host: '10.0.0.77', authMethod: 'password', password: 'pw-late-1', monitoringEnabled: false } });
      expect(added.status()).toBe(201);
      await page.getByRole('link', { name: 'Servers' }).first().click();
      await page.waitForURL(`${app.url}/servers`);
      await page.getByRole('link', { name: 'late-1' }).waitFor({ timeout: 10_000 });
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('3: Metrics → 7d and 30d on a new server span the chosen window around its one sample', async () => {
    const now = Date.now();
    db.prepare('insert into metric_samples (server_id, at, cpu, memory, swap, disk, load1, load5, load15, net_rx, net_tx) values (?, ?, 12, 40, 0, 55, 0.2, 0.2, 0.1, 1000, 800)').run(ids.edge, now - 60_000);
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'paths-metrics', async () => {
      await signIn(page, app, ADMIN);
      await page.goto(`${app.url}/servers/${ids.edge}/metrics`);
      const cpu = page.getByRole('img', { name: /^CPU, / });
      for (const [button, days] of [['Show the last 7 days', 7], ['Show the last 30 days', 30]] as const) {
        await page.getByRole('button', { name: button }).click();
        await page.getByText('1 points').waitFor();
        await expect.poll(async () => (await cpu.getAttribute('aria-label')) ?? '').toContain(`last ${days} days`);
        const span = async () => {
          const [from, to] = await Promise.all([cpu.getAttribute('data-x-from'), cpu.getAttribute('data-x-to')]);
          return from && to ? [Date.parse(from), Date.parse(to)] : null;
        };
        await expect.poll(async () => ((await span()) ? Math.round(((await span())![1] - (await span())![0]) / 86_400_000) : null)).toBe(days);
        const [from, to] = (await span())!;
        // The window ends now (when the page asked) and starts `days` before; the sample is inside.
        expect(Math.abs(to - Date.now())).toBeLessThan(3_600_000);
        expect(from).toBeLessThan(now - 60_000);
        expect(new Date(from).getUTCFullYear()).toBeGreaterThanOrEqual(new Date(now).getUTCFullYear() - 1);
        await shot(page, `paths-07-metrics-${days}d`);
      }
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('6: a silence shows on the incident it covers, in the console and the API', async () => {
    const now = Date.now();
    db.prepare(
      `insert into alerts (id, kind, severity, key, subject_type, subject_id, subject_name, server_id, state, value, pending_since, started_at, silenced)
       values (?, 'server_down', 'critical', ?, 'server', ?, 'edge-1', ?, 'firing', null, ?, ?, 0)`,
    ).run(newId(), `server_down:${ids.edge}`, ids.edge, ids.edge, now - 120_000, now - 120_000);
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'paths-silence', async () => {
      await signIn(page, app, ADMIN);
      await page.getByRole('link', { name: 'Alerts' }).first().click();
      const incident = page.getByRole('row').filter({ hasText: 'edge-1' });
      await incident.getByText('firing', { exact: true }).waitFor();
      expect(await incident.getByText('silenced', { exact: true }).count()).toBe(0);

      await page.getByRole('link', { name: 'Silences' }).click();
      await page.getByRole('button', { name: 'New silence' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Silence').selectOption({ label: 'Server: edge-1 (and its domains)' });
      await dialog.getByLabel(/^Reason/).fill('Kernel upgrade');
      await dialog.getByRole('button', { name: 'Create silence' }).click();
      await page.getByText('Kernel upgrade').waitFor();

      await page.getByRole('link', { name: 'Incidents' }).click();
      await page.waitForURL(`${app.url}/alerts`);
      await incident.getByText('silenced', { exact: true }).waitFor();
      await shot(page, 'paths-08-incident-silenced');
      const api = (await (await page.request.get(`${app.url}/api/v1/alerts?state=firing`)).json()) as { items: Array<{ serverId: string; silenced: boolean }> };
      expect(api.items.find((a) => a.serverId === ids.edge)?.silenced).toBe(true);

      // The user it is shared with sees the same.
      const userPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
      await signIn(userPage, app, USER);
      await userPage.goto(`${app.url}/alerts`);
      await userPage.getByRole('row').filter({ hasText: 'edge-1' }).getByText('silenced', { exact: true }).waitFor();
      await shot(userPage, 'paths-09-incident-silenced-user-phone');
      await userPage.context().close();
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });
});
