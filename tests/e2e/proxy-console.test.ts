import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { httpRequest } from '../support/wait';

const enabled = requireBinary('sshd', 'ssh-keygen', 'nginx', 'chromium');

/**
 * Issue #4 in the browser: an admin creates an upstream pool and a domain in modals (errors
 * beside the fields), deploys with the live task log, sees the status change live, previews the
 * config; writes a template whose preview error line is marked; finds a hand edit as drift. A
 * user with the server shared sees domains read-only.
 */
describe.skipIf(!enabled)('proxy console in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let up: HttpUpstream;
  let managedDir: string;
  let httpPort: number;

  beforeAll(async () => {
    managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-e2e-managed-'));
    fs.chmodSync(managedDir, 0o755);
    fs.mkdirSync(path.join(managedDir, 'domains'));
    fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
    fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
    sshd = await startSshd({ users: [{ name: 'root' }] });
    nginx = await startNginx({ files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` } });
    up = await startHttpUpstream({ name: 'e2e-app' });
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

  it('creates a pool and a domain, deploys with a live log, previews templates and finds drift', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await signIn(page, app, ADMIN);
      // The server and a user come from the servers and users features (their API, same session).
      const user = await page.request.post(`${app.url}/api/v1/users`, { data: { ...USER, role: 'user', name: 'Uma' } });
      expect(user.status()).toBe(201);
      const srv = await page.request.post(`${app.url}/api/v1/servers`, {
        data: {
          name: 'edge-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false,
          sharedWith: [(await user.json()).id],
          nginxLayout: { managedDir, mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort, httpsPort: await freePort() },
        },
      });
      expect(srv.status(), await srv.text()).toBe(201);
      const serverId = (await srv.json()).id as string;

      // Upstreams: a bad port is reported beside its field; then the pool is created.
      await page.goto(`${app.url}/upstreams`);
      await shot(page, 'proxy-01-upstreams-empty');
      await page.getByRole('button', { name: 'New pool' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name', { exact: true }).fill('web-pool');
      await dialog.getByLabel('Host or IP').fill('127.0.0.1');
      await dialog.getByLabel('Port').fill('99999');
      await dialog.getByRole('button', { name: 'Create pool' }).click();
      await dialog.getByText('Port must be a whole number from 1 to 65535.').waitFor();
      await shot(page, 'proxy-02-upstream-error');
      await dialog.getByLabel('Port').fill(String(up.port));
      await dialog.getByRole('button', { name: 'Create pool' }).click();
      await page.getByRole('cell', { name: 'web-pool round robin' }).waitFor();
      await shot(page, 'proxy-03-upstreams');

      // Target health: "Check targets now" probes the pool (no check configured: TCP, once).
      await page.getByRole('button', { name: 'Target health of web-pool' }).click();
      const health = page.getByRole('dialog', { name: 'Targets of web-pool' });
      await health.getByText('not checked').waitFor();
      await health.getByRole('button', { name: 'Check targets now' }).click();
      await page.getByText('All 1 targets are up.').first().waitFor();
      await health.locator('[data-health="up"]').waitFor();
      await shot(page, 'proxy-03b-upstream-health');
      await health.getByRole('button', { name: 'Close' }).click();

      // Domains: create one; it is pending until deployed.
      await page.goto(`${app.url}/domains`);
      await page.getByRole('button', { name: 'New domain' }).click();
      await dialog.getByLabel('Domain name').fill('shop.e2e.test');
      await dialog.getByLabel('Aliases').fill('www.shop.e2e.test');
      await dialog.getByLabel('Max request body').fill('10 MB');
      await dialog.getByRole('button', { name: 'Add domain' }).click();
      await dialog.getByText(/Write a size as a number/).waitFor();
      await shot(page, 'proxy-04-domain-error');
      await dialog.getByLabel('Max request body').fill('10m');
      await dialog.getByRole('button', { name: 'Add domain' }).click();
      const row = page.getByRole('row', { name: /shop\.e2e\.test/ });
      await row.getByText('pending', { exact: true }).waitFor();
      await shot(page, 'proxy-05-domains-pending');

      // Deploy from the row: the log streams in the modal, the row turns "deployed" live.
      await row.getByRole('button', { name: 'Deploy shop.e2e.test' }).click();
      const deploy = page.getByRole('dialog', { name: 'Deploying shop.e2e.test' });
      await deploy.getByText('nginx -t passed and Nginx reloaded with the new configuration.').waitFor({ timeout: 60_000 });
      await deploy.getByText('succeeded').waitFor();
      await shot(page, 'proxy-06-deploy-log');
      await deploy.getByRole('button', { name: 'Close' }).first().click();
      await row.getByText('deployed', { exact: true }).waitFor();
      const served = await httpRequest('http://shop.e2e.test/', { connectTo: { host: '127.0.0.1', port: httpPort } });
      expect(JSON.parse(served.body).upstream).toBe('e2e-app');
      await shot(page, 'proxy-07-domains-deployed');

      // The domain page: settings, nothing left to deploy, the rendered files.
      await row.getByRole('link', { name: 'shop.e2e.test' }).click();
      await page.getByText('Nothing: the server has this configuration.').waitFor();
      await page.getByText('domains/shop.e2e.test.conf').first().click();
      await shot(page, 'proxy-08-domain-detail');

      // Templates: the preview marks the error's line; the built-ins are listed read-only.
      await page.goto(`${app.url}/templates`);
      await page.getByRole('link', { name: 'builtin-http' }).waitFor();
      await shot(page, 'proxy-09-templates');
      await page.getByRole('link', { name: 'New template' }).click();
      const body = page.getByLabel('Template body');
      await body.fill('# first\n# second\nserver { listen {{ domain.nope }}; }\n');
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByText('Error on line 3').waitFor();
      await shot(page, 'proxy-10-template-error');

      // Drift: a hand edit on the server shows as a diff.
      fs.appendFileSync(path.join(managedDir, 'domains/shop.e2e.test.conf'), '# hand edit\n');
      await page.goto(`${app.url}/domains/servers/${serverId}`);
      await page.getByRole('button', { name: 'Check the server now' }).click();
      await page.getByText('Files on the server were changed by hand').waitFor();
      await page.getByText('+# hand edit').waitFor();
      await shot(page, 'proxy-11-drift');
    } catch (err) {
      await shot(page, 'proxy-failure');
      console.error(app.logs().slice(-4000));
      throw err;
    } finally {
      await ctx.close();
    }
  });

  it('shows a user the shared server\'s domains read-only, in the dark theme', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const page = await ctx.newPage();
    try {
      await signIn(page, app, USER);
      await page.goto(`${app.url}/domains`);
      await page.getByRole('link', { name: 'shop.e2e.test' }).waitFor();
      expect(await page.getByRole('button', { name: 'New domain' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /Deploy/ }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Templates' }).count()).toBe(0);
      await shot(page, 'proxy-12-user-domains-dark');
      await page.goto(`${app.url}/upstreams`);
      await page.getByText('web-pool').waitFor();
      expect(await page.getByRole('button', { name: /Edit|Delete|New pool/ }).count()).toBe(0);
      await page.getByRole('button', { name: 'Target health of web-pool' }).click();
      await page.getByRole('dialog', { name: 'Targets of web-pool' }).locator('[data-health="up"]').waitFor();
      expect(await page.getByRole('button', { name: 'Check targets now' }).count()).toBe(0);
      await shot(page, 'proxy-13-user-upstream-health');
      await page.goto(`${app.url}/templates`);
      await page.getByText('Only an admin can see this page').waitFor();
    } finally {
      await ctx.close();
    }
  });
});
