/**
 * Issue 18 in the browser, the paths that left a person guessing, walked against the built app
 * and real parts (sshd, Nginx, SQLite, Chromium):
 *   4. a deploy names each step as it happens, `nginx -t` lines show while it still runs, and a
 *      reload whose workers never come up shows Nginx's own error-log line (bind() … Address
 *      already in use) once in the task error, not "see its error log";
 *   5. forms: every field error in one submit, beside its field, in words a person reads; an empty
 *      submit flags every missing field (the key too); a taken e-mail shows on the e-mail field;
 *      Escape on a half-filled form asks before throwing it away;
 *   9. at 390 px the servers, domains and tasks tables are cards, not sideways scrollers; the
 *      template editor's line numbers scroll with the text and it uses the width at 1366; counts
 *      read "1 domain", "2 changed files".
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, ConsoleMessage, Locator, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER, withFailureShot } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';

const enabled = requireBinary('sshd', 'ssh-keygen', 'nginx', 'chromium');

/** The text of the elements an input's aria-describedby names: its hint and its error. */
async function description(field: Locator): Promise<string> {
  return field.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
}

function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}

const RAW_VALIDATOR_TEXT = /Invalid input|Too small|Too big|expected (number|string)|U\+0020|received/;

describe.skipIf(!enabled)('console guidance of issue 18 (items 4, 5, 9)', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let managedDir: string;
  /** Holds the port the failing server's Nginx layout listens on: its reload cannot bind it. */
  let squatter: net.Server;
  const ids = { user: '', edge: '', busy: '', upstream: '', domain: '', busyDomain: '' };

  beforeAll(async () => {
    managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-e2e-guidance-'));
    fs.chmodSync(managedDir, 0o755);
    fs.mkdirSync(path.join(managedDir, 'domains'));
    fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
    fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
    sshd = await startSshd({ users: [{ name: 'root' }] });
    nginx = await startNginx({ files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` } });
    const busyPort = await freePort();
    squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(busyPort, r));
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));

    const page = await (await browser.newContext()).newPage();
    await signIn(page, app, ADMIN);
    const post = async (url: string, data: unknown) => {
      const r = await page.request.post(`${app.url}/api/v1${url}`, { data });
      expect(r.status(), await r.text()).toBeLessThan(300);
      return (await r.json()) as Record<string, string>;
    };
    const key = sshd.user('root').privateKey!;
    ids.user = (await post('/users', { ...USER, role: 'user', name: 'Uma' })).id;
    ids.edge = (await post('/servers', { name: 'edge-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: key, monitoringEnabled: false, sharedWith: [ids.user] })).id;
    // The same Nginx, but its domains listen on a port another process holds: nginx -t passes
    // (it binds nothing), the reload's new listen socket fails and no new workers start.
    ids.busy = (
      await post('/servers', {
        name: 'busy-1',
        host: '127.0.0.1',
        sshPort: sshd.port,
        authMethod: 'key',
        privateKey: key,
        monitoringEnabled: false,
        nginxLayout: { managedDir, mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort: busyPort, httpsPort: await freePort() },
      })
    ).id;
    ids.upstream = (await post('/upstreams', { name: 'shop-pool', targets: [{ host: '127.0.0.1', port: 8080 }] })).id;
    ids.domain = (await post('/domains', { fqdn: 'shop.e2e.test', serverId: ids.edge, upstreamId: ids.upstream })).id;
    ids.busyDomain = (await post('/domains', { fqdn: 'busy.e2e.test', serverId: ids.busy, upstreamId: ids.upstream, aliases: ['www.busy.e2e.test'] })).id;
    await post(`/servers/${ids.edge}/test`, {});
    await page.context().close();
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await new Promise((r) => squatter?.close(r));
    await nginx?.stop();
    await sshd?.stop();
    if (managedDir) fs.rmSync(managedDir, { recursive: true, force: true });
  });

  it('5: Add server shows every error at once beside its field, in plain words; an empty submit flags the key too', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'guidance-forms', async () => {
      await signIn(page, app, ADMIN);
      await page.getByRole('link', { name: 'Servers' }).first().click();
      await page.getByRole('button', { name: 'Add server' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name', { exact: true }).fill('edge-9');
      await dialog.getByLabel('Host', { exact: true }).fill('bad host!');
      await dialog.getByLabel('SSH port').fill('70000');
      await dialog.getByLabel('Private key', { exact: true }).fill('this is not a key');
      await dialog.getByRole('button', { name: 'Add server' }).click();
      // One submit, three messages, each in its own field's description.
      await dialog.getByText('Check the 3 fields marked below.').waitFor();
      expect(await description(dialog.getByLabel('Host', { exact: true }))).toContain('Host names may contain only letters, digits, hyphens and dots; found a space.');
      expect(await description(dialog.getByLabel('SSH port'))).toContain('Port must be a whole number from 1 to 65535.');
      expect(await description(dialog.getByLabel('Private key', { exact: true }))).toContain('This is not a private key Gatehouse can read');
      expect(await dialog.innerText()).not.toMatch(RAW_VALIDATOR_TEXT);
      await shot(page, 'guidance-01-add-server-three-errors');

      // Cancel is a decision: no question. Then an empty submit flags every required field.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'Add server' }).click();
      await dialog.getByRole('button', { name: 'Add server' }).click();
      await dialog.getByText('Check the 3 fields marked below.').waitFor();
      expect(await description(dialog.getByLabel('Name', { exact: true }))).toContain('Enter a name.');
      expect(await description(dialog.getByLabel('Host', { exact: true }))).toContain('Enter a host name or IP address.');
      expect(await description(dialog.getByLabel('Private key', { exact: true }))).toContain('Paste the private key.');
      expect(await dialog.innerText()).not.toMatch(RAW_VALIDATOR_TEXT);
      await shot(page, 'guidance-02-add-server-empty');
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('5: a taken e-mail shows on the e-mail field; Escape on a half-filled form asks first', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'guidance-conflict', async () => {
      await signIn(page, app, ADMIN);
      await page.getByRole('link', { name: 'Users' }).first().click();
      await page.getByRole('button', { name: 'New user' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('E-mail').fill(USER.email);
      await dialog.getByLabel('Password', { exact: true }).fill('another-password-1');
      await dialog.getByRole('button', { name: 'Create user' }).click();
      await dialog.getByText('Check the field marked below.').waitFor();
      expect(await description(dialog.getByLabel('E-mail'))).toContain('A user with this e-mail already exists.');
      expect(await dialog.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'guidance-03-user-email-taken');

      // Escape with something typed: the dialog stays and asks.
      await dialog.getByLabel(/^Name/).click();
      await page.keyboard.type('Someone');
      await page.keyboard.press('Escape');
      const ask = dialog.getByRole('alertdialog');
      await ask.getByText('Discard what you typed in this form?').waitFor();
      expect(await dialog.isVisible()).toBe(true);
      await shot(page, 'guidance-04-escape-asks');
      await ask.getByRole('button', { name: 'Keep editing' }).click();
      expect(await dialog.getByLabel(/^Name/).inputValue()).toBe('Someone');
      // Asked again, Discard closes it; opened again, the form is fresh.
      await page.keyboard.press('Escape');
      await dialog.getByRole('alertdialog').getByRole('button', { name: 'Discard' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: 'New user' }).click();
      expect(await dialog.getByLabel(/^Name/).inputValue()).toBe('');
      // Nothing typed: Escape closes at once.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('9: at 390 px the servers, domains and tasks lists are cards; plurals read as words', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'guidance-phone', async () => {
      await signIn(page, app, ADMIN);
      for (const [route, first, label] of [
        ['/servers', 'edge-1', 'Last seen'],
        ['/domains', 'shop.e2e.test', 'Deployed'],
        ['/tasks', 'Connection test', 'Started'],
      ] as const) {
        await page.goto(`${app.url}${route}`);
        const table = page.locator('main table').first();
        await table.getByText(first, { exact: true }).first().waitFor();
        const layout = await table.evaluate((t) => {
          const wrapper = t.parentElement!;
          const row = t.querySelector('tbody tr')!;
          return {
            scrolls: wrapper.scrollWidth > wrapper.clientWidth + 1,
            row: getComputedStyle(row).display,
            head: t.querySelector('thead')!.getBoundingClientRect().height,
            rowWidth: row.getBoundingClientRect().width,
          };
        });
        expect(layout, route).toMatchObject({ scrolls: false, row: 'block' });
        expect(layout.head, route).toBeLessThanOrEqual(1);
        expect(layout.rowWidth, route).toBeLessThanOrEqual(390);
        // Each value is named on the card, as its column was.
        const cell = table.locator(`td[data-label="${label}"]`).first();
        expect(await cell.evaluate((td) => getComputedStyle(td, '::before').content)).toBe(`"${label}"`);
        expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
        await shot(page, `guidance-05-phone${route.replace('/', '-')}`);
      }
      // Counts in words: one pending domain on edge-1.
      await page.goto(`${app.url}/domains`);
      await page.getByText('1 domain not deployed').first().waitFor();
      expect(await page.locator('main').innerText()).not.toContain('(s)');
      await page.goto(`${app.url}/templates/builtin-http`);
      await page.getByText(/used by \d+ domains?\./).waitFor();
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('9: the template editor uses the width at 1366 and its line numbers scroll with the text', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'guidance-editor', async () => {
      await signIn(page, app, ADMIN);
      await page.goto(`${app.url}/templates/new`);
      const body = page.getByLabel('Template body');
      await body.waitFor();
      const width = await body.evaluate((t) => t.getBoundingClientRect().width);
      expect(width).toBeGreaterThan(800);
      await body.fill(`${await body.inputValue()}\n${Array.from({ length: 40 }, (_, i) => `# extra line ${i + 1}`).join('\n')}`);
      await body.evaluate((t) => (t.scrollTop = t.scrollHeight));
      // The number beside the textarea's first visible line is that line's number.
      const aligned = await body.evaluate((t) => {
        const box = t.getBoundingClientRect();
        const line = Math.floor(t.scrollTop / 20) + 1;
        const gutter = document.querySelector('[data-testid="template-gutter"]')!;
        const numbers = [...gutter.children] as HTMLElement[];
        const n = numbers[line - 1].getBoundingClientRect();
        const last = numbers[numbers.length - 1].getBoundingClientRect();
        return { top: box.top, bottom: box.bottom, numberTop: n.top, offset: (t.scrollTop % 20) as number, lastTop: last.top, lines: numbers.length };
      });
      // The first visible line starts 8 px (padding) minus the part already scrolled past.
      expect(Math.abs(aligned.numberTop - (aligned.top + 8 - aligned.offset))).toBeLessThanOrEqual(2);
      expect(aligned.lastTop).toBeGreaterThan(aligned.top);
      expect(aligned.lastTop).toBeLessThan(aligned.bottom);
      await shot(page, 'guidance-06-editor-scrolled');
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });

  it('4: a deploy names its steps as they happen and shows why a reload failed, from Nginx\'s error log, once', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const errors = consoleErrors(page);
    await withFailureShot(page, app, 'guidance-deploy', async () => {
      await signIn(page, app, ADMIN);
      await page.goto(`${app.url}/domains`);
      await page.getByRole('button', { name: 'Deploy busy.e2e.test' }).click();
      const dialog = page.getByRole('dialog');
      const log = dialog.getByRole('log', { name: 'Task log' });
      await log.getByText('Uploading 2 changed files', { exact: false }).waitFor();
      // While the reload is still waited for, the step is named and nginx -t's lines are in.
      await dialog.getByTestId('task-step').getByText('Reloading: waiting for Nginx workers', { exact: false }).waitFor({ timeout: 25_000 });
      const lines = await log.locator('li[data-seq]').allInnerTexts();
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      expect(at(/Testing the configuration \(nginx -t\)/)).toBeGreaterThan(-1);
      expect(at(/test is successful/)).toBeGreaterThan(at(/Testing the configuration/));
      expect(at(/Reloading: waiting for Nginx workers/)).toBeGreaterThan(at(/test is successful/));
      await shot(page, 'guidance-07-deploy-reloading');

      // The reload never brings workers up: the failure quotes Nginx, once in the banner.
      const banner = dialog.getByRole('alert').filter({ hasText: 'The task failed' });
      await banner.waitFor({ timeout: 60_000 });
      const text = await banner.innerText();
      expect(text).toMatch(/bind\(\) to [^ ]+ failed \(98: Address already in use\)/);
      expect(text.match(/Address already in use/g)?.length).toBe(1);
      expect(text).not.toContain('see its error log');
      const all = await log.locator('li[data-seq]').allInnerTexts();
      expect(all.filter((l) => l.includes('see its error log'))).toEqual([]);
      expect(all.filter((l) => /Address already in use/.test(l)).length).toBe(1);
      await shot(page, 'guidance-08-deploy-failed');
      expect(errors).toEqual([]);
    });
    await page.context().close();
  });
});
