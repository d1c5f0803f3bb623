import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, withFailureShot } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { httpRequest } from '../support/wait';

const enabled = requireBinary('sshd', 'ssh-keygen', 'nginx', 'chromium');

/**
 * Issue 18, the quick path: "Proxy a site" as an NPM user walks it — domain, a new pool from a
 * host:port line, no certificate, one submit — reports every mistake beside its field at once,
 * then shows the deploy's progress and lands on the domain's page with the site answering
 * through the real Nginx (over the real sshd).
 */
describe.skipIf(!enabled)('"Proxy a site" in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let up: HttpUpstream;
  let managedDir: string;
  let httpPort: number;

  beforeAll(async () => {
    managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-e2e-site-'));
    fs.chmodSync(managedDir, 0o755);
    fs.mkdirSync(path.join(managedDir, 'domains'));
    fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
    fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
    sshd = await startSshd({ users: [{ name: 'root' }] });
    nginx = await startNginx({ files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` } });
    up = await startHttpUpstream({ name: 'e2e-site' });
    httpPort = await freePort();
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await up?.stop();
    await nginx?.stop();
    await sshd?.stop();
    if (managedDir) fs.rmSync(managedDir, { recursive: true, force: true });
  });

  it('creates the pool and the domain, deploys with progress shown and ends on a live site', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await withFailureShot(page, app, 'proxy-site', async () => {
      await signIn(page, app, ADMIN);
      const srv = await page.request.post(`${app.url}/api/v1/servers`, {
        data: {
          name: 'edge-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false,
          nginxLayout: { managedDir, mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort, httpsPort: await freePort() },
        },
      });
      expect(srv.status(), await srv.text()).toBe(201);

      // From the Domains page (no pool exists yet: the quick path creates one).
      await page.goto(`${app.url}/domains`);
      await page.getByRole('link', { name: 'Proxy a site' }).first().click();
      await page.waitForURL(`${app.url}/domains/new`);
      await page.getByRole('heading', { name: 'Proxy a site', level: 1 }).waitFor();
      await shot(page, 'proxy-site-01-form');

      // Two mistakes, one submit: both are reported beside their fields, nothing is created.
      await page.getByLabel('Domain name').fill('bad domain!');
      await page.getByLabel('Targets').fill('127.0.0.1');
      await page.getByRole('button', { name: 'Create and deploy' }).click();
      await page.getByText('Check the 2 fields marked below.').waitFor();
      await page.getByText(/Line 1 \(127\.0\.0\.1\): add the port/).waitFor();
      expect(await page.getByLabel('Domain name').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'proxy-site-02-errors');
      const pools = await page.request.get(`${app.url}/api/v1/upstreams`);
      expect((await pools.json()).items).toEqual([]);

      // Fixed: the pool, the domain and the deploy; the log shows progress, then the domain page.
      await page.getByLabel('Domain name').fill('site.e2e.test');
      await page.getByLabel('Targets').fill(`127.0.0.1:${up.port}`);
      await page.getByRole('radio', { name: 'None for now (HTTP only)' }).check();
      await page.getByRole('button', { name: 'Create and deploy' }).click();
      await page.getByRole('heading', { name: 'Putting the site live' }).waitFor();
      await page.getByText('The site is live').waitFor({ timeout: 60_000 });
      await shot(page, 'proxy-site-03-progress');
      await page.getByText('nginx -t passed and Nginx reloaded with the new configuration.').waitFor();
      await page.waitForURL(/\/domains\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      await page.getByRole('heading', { name: 'site.e2e.test', level: 1 }).waitFor();
      await page.getByText('deployed', { exact: true }).first().waitFor();
      await shot(page, 'proxy-site-04-domain');

      const served = await httpRequest('http://site.e2e.test/', { connectTo: { host: '127.0.0.1', port: httpPort } });
      expect(served.status).toBe(200);
      expect(JSON.parse(served.body).upstream).toBe('e2e-site');

      // The pool it made is an ordinary pool, named after the domain.
      await page.goto(`${app.url}/upstreams`);
      await page.getByRole('link', { name: 'site-e2e-test' }).waitFor();
    });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
