/**
 * Issue 5 in the browser, against the built app and real parts (pebble, knot, nginx, sshd): an
 * admin uploads a certificate (a bad paste first: the error sits beside its field), issues one
 * with ACME and renews it, watching the task log live; a user sees certificates read-only.
 */
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER, withFailureShot } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { startPebble, type PebbleInstance } from '../support/pebble';
import { startDns, type DnsServer } from '../support/dns';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { makeChain } from '../integration/certs-openssl';

const enabled = requireBinary('pebble', 'openssl', 'knotd', 'nginx', 'sshd', 'ssh-keygen', 'chromium');

/** The fingerprint of the certificate Nginx serves for a name (no trust check: pebble's root changes per run). */
function servedFingerprint(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe.skipIf(!enabled)('certificates in the console', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let pebble: PebbleInstance;
  let dns: DnsServer;
  let upstream: HttpUpstream;
  let httpsPort: number;

  beforeAll(async () => {
    dns = await startDns({ zones: [{ name: 'example.test', ns: ['ns1.example.test'], records: [{ name: 'shop', type: 'A', value: '127.0.0.1' }, { name: 'blog', type: 'A', value: '127.0.0.1' }] }] });
    [sshd, nginx, upstream, httpsPort] = await Promise.all([startSshd({ users: [{ name: 'root' }] }), startNginx({ noDefaultServer: true }), startHttpUpstream({ name: 'shop' }), freePort()]);
    pebble = await startPebble({ dnsServer: dns.server, httpPort: nginx.port });
    // The app is its own process: it trusts pebble's listener through NODE_EXTRA_CA_CERTS.
    ({ app, browser } = await startConsole({ SCHEDULER: 'off', ACME_DIRECTORY_URL: pebble.directoryUrl, NODE_EXTRA_CA_CERTS: pebble.caCertFile }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await Promise.all([pebble?.stop(), nginx?.stop(), sshd?.stop(), dns?.stop(), upstream?.stop()]);
  });

  async function post(request: APIRequestContext, url: string, data: unknown) {
    const r = await request.post(`${app.url}/api/v1${url}`, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return (await r.json()) as Record<string, string>;
  }
  async function waitTask(request: APIRequestContext, taskId: string) {
    await expect.poll(async () => ((await (await request.get(`${app.url}/api/v1/tasks/${taskId}`)).json()) as { status: string }).status, { timeout: 60_000 }).toBe('succeeded');
  }

  it('uploads, issues with ACME and renews with a live log; users see it read-only', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await withFailureShot(page, app, 'certs', () => walkThrough(page));
  });

  async function walkThrough(page: Page) {
    await signIn(page, app, ADMIN);
    const rq = page.request;
    const nginxLayout = { managedDir: path.join(nginx.prefix, 'gatehouse'), mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort: nginx.port, httpsPort };
    const user = await post(rq, '/users', { email: 'uma@example.test', password: 'user-password-1' });
    const server = await post(rq, '/servers', { name: 'edge-1', host: sshd.host, sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false, nginxLayout, sharedWith: [user.id] });
    await waitTask(rq, (await post(rq, `/servers/${server.id}/install-nginx`, {})).taskId);
    const up = await post(rq, '/upstreams', { name: 'shop', targets: [{ host: '127.0.0.1', port: upstream.port }] });
    await post(rq, '/domains', { fqdn: 'shop.example.test', serverId: server.id, upstreamId: up.id });
    await post(rq, '/domains', { fqdn: 'blog.example.test', serverId: server.id, upstreamId: up.id });

    await page.getByRole('link', { name: 'Certificates' }).first().click();
    await page.getByText('No certificates yet').waitFor();
    await shot(page, 'certs-01-empty');

    // Upload: garbage first, the message shows beside the field; then a real certificate.
    const chain = makeChain(['blog.example.test']);
    await page.getByRole('button', { name: 'Upload certificate' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Certificate', { exact: true }).fill('not a certificate');
    await dialog.getByLabel('Private key').fill(chain.leaf.keyPem);
    await dialog.getByRole('button', { name: 'Upload' }).click();
    await dialog.getByText('This is not a PEM certificate: it should start with -----BEGIN CERTIFICATE-----.').waitFor();
    await shot(page, 'certs-02-upload-error');
    await dialog.getByLabel('Certificate', { exact: true }).fill(chain.leaf.certPem);
    await dialog.getByLabel('Private key').fill(chain.leaf.keyPem);
    await dialog.getByLabel('Chain').fill(chain.intermediate.certPem);
    await dialog.getByLabel('Serve it on').selectOption({ label: 'blog.example.test' });
    await dialog.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Uploaded; blog.example.test serves it once deployed.').waitFor();
    await page.getByRole('cell', { name: /blog\.example\.test/ }).first().waitFor();

    // ACME for shop.example.test: the log fills in live until the certificate is served.
    await page.getByRole('button', { name: 'Issue with ACME' }).click();
    await dialog.getByLabel('Domain').selectOption({ label: 'shop.example.test' });
    await dialog.getByRole('button', { name: 'Issue certificate' }).click();
    const log = dialog.getByRole('log', { name: 'Task log' });
    await log.getByText(/^Deploy: Nginx reloaded/).waitFor({ timeout: 60_000 });
    await dialog.getByText('succeeded', { exact: true }).waitFor();
    for (const step of ['Account:', 'Order:', 'Challenge:', 'Validation:', 'Finalize:', 'Download:']) await log.getByText(step, { exact: false }).first().waitFor();
    await shot(page, 'certs-03-acme-live-log');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const acmeRow = page.getByRole('row').filter({ hasText: 'ACME' });
    await acmeRow.getByText('shop.example.test').first().waitFor();
    await acmeRow.getByText(/days left/).waitFor();
    await shot(page, 'certs-04-list-admin');
    const certs = async () => ((await (await rq.get(`${app.url}/api/v1/certificates`)).json()) as { items: Array<{ source: string; fingerprint: string; names: string[] }> }).items;
    const issued = (await certs()).find((c) => c.source === 'acme')!;
    expect(await servedFingerprint(httpsPort, 'shop.example.test')).toBe(issued.fingerprint);
    await expect.poll(() => servedFingerprint(httpsPort, 'blog.example.test'), { timeout: 30_000 }).toBe((await certs()).find((c) => c.source === 'custom')!.fingerprint);

    await acmeRow.getByRole('button', { name: 'Renew the certificate for shop.example.test' }).click();
    await dialog.getByRole('button', { name: 'Renew now' }).click();
    await dialog.getByText('succeeded', { exact: true }).waitFor({ timeout: 60_000 });
    await dialog.getByRole('log', { name: 'Task log' }).getByText(/^Renewing a certificate/).waitFor();
    await shot(page, 'certs-05-renew-log');
    const renewed = (await certs()).find((c) => c.source === 'acme')!;
    expect(renewed.fingerprint).not.toBe(issued.fingerprint);
    expect(await servedFingerprint(httpsPort, 'shop.example.test')).toBe(renewed.fingerprint);
    await dialog.getByRole('button', { name: 'Done' }).click();

    await page.evaluate(() => localStorage.setItem('gatehouse-theme', 'dark'));
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'ACME' }).waitFor();
    await shot(page, 'certs-06-list-dark');
    await page.evaluate(() => localStorage.setItem('gatehouse-theme', 'light'));

    // A user of the shared server: both certificates, no controls.
    const userPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(userPage, app, USER);
    await userPage.goto(`${app.url}/certificates`);
    await userPage.getByText('read-only').waitFor();
    await userPage.getByRole('row').filter({ hasText: 'ACME' }).waitFor();
    for (const name of [/Upload/, /Issue with ACME/, /Renew/, /Delete/]) expect(await userPage.getByRole('button', { name }).count()).toBe(0);
    await shot(userPage, 'certs-07-user-phone');
  }
});
