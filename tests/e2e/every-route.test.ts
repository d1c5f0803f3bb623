/**
 * Issue 18, last bullet: every console page (each page.tsx under app/(console), the dynamic ones
 * with records made for them) opened by an admin and by a user, at 1366 and 390 px wide, in light
 * and dark. A visit fails on a console error, a 5xx, a page that scrolls sideways, or an axe-core
 * finding for labels, names and contrast ('label', 'color-contrast', 'button-name', 'link-name',
 * 'select-name', 'input-button-name'). A user gets 403 on admin pages (and that page is checked too).
 *
 * One app, four browser contexts (role × theme), one sign-in each; the width changes per page.
 * axe-core is evaluated into each page through the DevTools protocol (page.evaluate), which the
 * page's nonce CSP does not govern, so the app's own policy stays on (stopConsole fails on any
 * violation).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER, type Credentials } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary } from '../support/process';

const enabled = requireBinary('sshd', 'ssh-keygen', 'chromium');
const root = path.resolve(import.meta.dirname, '../..');
const AXE = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** An id no record has. */
const MISSING = 'no-such-record-0000';
const RULES = ['label', 'color-contrast', 'button-name', 'link-name', 'select-name', 'input-button-name', 'aria-input-field-name'];

/** Every page route of the console, from the file tree: `servers/[id]/metrics`, … ('' is the dashboard). */
function consoleRoutes(): string[] {
  const base = path.join(root, 'app/(console)');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === 'page.tsx') out.push(path.relative(base, dir).split(path.sep).join('/'));
    }
  };
  walk(base);
  return out.sort();
}

interface Finding {
  where: string;
  what: string;
}

describe.skipIf(!enabled)('every console route', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'root' }] });
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, app, ADMIN);
    const post = async (url: string, data: unknown) => {
      const r = await page.request.post(`${app.url}/api/v1${url}`, { data });
      expect(r.status(), `${url}: ${await r.text()}`).toBeLessThan(300);
      return (await r.json()) as Record<string, string>;
    };
    ids.user = (await post('/users', { ...USER, role: 'user', name: 'Uma' })).id;
    ids.server = (await post('/servers', { name: 'edge-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false, sharedWith: [ids.user] })).id;
    ids.upstream = (await post('/upstreams', { name: 'shop-pool', targets: [{ host: '127.0.0.1', port: 8080 }] })).id;
    ids.domain = (await post('/domains', { fqdn: 'shop.e2e.test', serverId: ids.server, upstreamId: ids.upstream })).id;
    ids.task = (await post(`/servers/${ids.server}/test`, {})).taskId;
    ids.template = 'builtin-http';
    await ctx.close();
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await sshd?.stop();
  });

  /** The URL for a route, its dynamic segments filled with the records made above. */
  function urlOf(route: string): string {
    const filled = route
      .replace('servers/[id]', `servers/${ids.server}`)
      .replace('domains/servers/[serverId]', `domains/servers/${ids.server}`)
      .replace('domains/[id]', `domains/${ids.domain}`)
      .replace('tasks/[id]', `tasks/${ids.task}`)
      .replace('templates/[id]', `templates/${ids.template}`)
      .replace('upstreams/[id]', `upstreams/${ids.upstream}`)
      // No certificate or incident is cheap to make here (an upload needs a CA, an incident a
      // failing server): their not-found page is checked; console-dead-ends walks the filled ones.
      .replace(/^(certificates|alerts)\/\[id\]$/, `$1/${MISSING}`);
    if (/\[/.test(filled)) throw new Error(`no record for the dynamic route ${route}: add one to this test`);
    return `/${filled}`;
  }

  async function visit(page: Page, url: string, where: string, allowed: number[], findings: Finding[], errors: string[]) {
    errors.length = 0;
    const res = await page.goto(`${app.url}${url}`, { waitUntil: 'load' });
    const status = res?.status() ?? 0;
    if (status >= 500 || !allowed.includes(status)) findings.push({ where, what: `HTTP ${status}` });
    await page.locator('main').waitFor();
    // Hydrated, and the first client fetches (live lists, charts) answered. The event stream
    // stays open, so "network idle" never comes: a short pause instead (nothing is timed).
    await page.waitForTimeout(400);
    const scroll = await page.evaluate(() => ({ width: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    if (scroll.width > scroll.inner) findings.push({ where, what: `scrolls sideways: ${scroll.width} px of content in ${scroll.inner} px` });
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
    const violations = await page.evaluate(async (rules) => {
      const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
      const r = await axe.run(document, { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] });
      return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300)}`));
    }, RULES);
    for (const v of violations) findings.push({ where, what: v });
    for (const e of errors) findings.push({ where, what: `console: ${e}` });
  }

  it('opens every console page as admin and user, 1366 and 390 px, light and dark: no console error, no 5xx, no sideways scroll, labels and contrast pass', async () => {
    const routes = consoleRoutes();
    // The tree has the pages the issue names; a new page is picked up by itself.
    expect(routes).toEqual(expect.arrayContaining(['', 'servers', 'servers/[id]', 'servers/[id]/metrics', 'domains', 'domains/[id]', 'tasks', 'tasks/[id]', 'templates/[id]', 'users', 'settings']));
    const adminOnly = new Set(['users', 'audit', 'settings', 'templates', 'templates/new', 'templates/[id]', 'domains/new', 'instances']);
    const missing = new Set(['certificates/[id]', 'alerts/[id]']);
    const findings: Finding[] = [];
    const visited: string[] = [];
    for (const [who, creds] of [['admin', ADMIN], ['user', USER]] as [string, Credentials][]) {
      for (const theme of ['light', 'dark'] as const) {
        const ctx: BrowserContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: theme });
        const page = await ctx.newPage();
        const errors: string[] = [];
        page.on('console', (m: ConsoleMessage) => {
          if (m.type() !== 'error') return;
          // Chromium notes the 403 of an admin page opened by a user (and the 404 of a missing record): the answer asked for.
          if (/^Failed to load resource: the server responded with a status of 40[34]/.test(m.text()) && m.location().url === page.url()) return;
          errors.push(`${m.text()} (${m.location().url})`);
        });
        page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
        await signIn(page, app, creds);
        for (const width of [1366, 390]) {
          await page.setViewportSize({ width, height: width > 500 ? 900 : 844 });
          for (const route of routes) {
            const url = urlOf(route);
            const where = `${who} ${theme} ${width}px ${url}`;
            const allowed = who === 'user' && adminOnly.has(route) ? [403] : missing.has(route) ? [404] : [200];
            const before = findings.length;
            await visit(page, url, where, allowed, findings, errors);
            visited.push(where);
            if (findings.length > before) await shot(page, `every-route-${who}-${theme}-${width}-${route.replace(/[^a-z0-9]+/gi, '_') || 'dashboard'}`);
          }
        }
        await ctx.close();
      }
    }
    expect(visited.length).toBe(routes.length * 8);
    const report = findings.map((f) => `${f.where}: ${f.what}`);
    expect(report, report.join('\n')).toEqual([]);
  });
});
