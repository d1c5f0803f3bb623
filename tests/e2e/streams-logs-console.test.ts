import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole } from '../support/e2e';
import { startSshd, type SshdInstance } from '../support/sshd';
import { NGINX_STREAM_MODULE, startNginx, type NginxInstance } from '../support/nginx';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { httpRequest } from '../support/wait';

const enabled = requireBinary('sshd', 'ssh-keygen', 'nginx', 'chromium') && fs.existsSync(NGINX_STREAM_MODULE);

function tcpEcho(): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = net.createServer((sock) => sock.on('data', (d) => sock.write(Buffer.concat([Buffer.from('echo:'), d]))).on('error', () => {}));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, stop: () => new Promise((r) => server.close(() => r())) })));
}

const tcpRoundTrip = (port: number, text: string) =>
  new Promise<string>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length + 5) {
        sock.end();
        resolve(got);
      }
    });
    sock.on('error', reject);
  });

/**
 * Issue #16 items 4 and 6 in the browser: an admin adds a TCP stream (a port clash is reported
 * beside the port field), deploys it with the live task log and sends real TCP traffic through
 * Nginx; then follows a domain's access log live on its page, with the filter and pause.
 */
describe.skipIf(!enabled)('streams and live logs in the console', () => {
  let app: AppServer;
  let browser: Browser;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let web: HttpUpstream;
  let echo: Awaited<ReturnType<typeof tcpEcho>>;
  let managedDir: string;
  let httpPort: number;

  beforeAll(async () => {
    managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-e2e-streams-'));
    fs.chmodSync(managedDir, 0o755);
    fs.mkdirSync(path.join(managedDir, 'domains'));
    fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
    fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
    sshd = await startSshd({ users: [{ name: 'root' }] });
    nginx = await startNginx({ files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` }, mainExtra: `load_module ${NGINX_STREAM_MODULE};` });
    web = await startHttpUpstream({ name: 'e2e-web' });
    echo = await tcpEcho();
    httpPort = await freePort();
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await web?.stop();
    await echo?.stop();
    await nginx?.stop();
    await sshd?.stop();
    if (managedDir) fs.rmSync(managedDir, { recursive: true, force: true });
  });

  it('adds and deploys a TCP stream, then follows a domain log live', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await signIn(page, app, ADMIN);
      const srv = await page.request.post(`${app.url}/api/v1/servers`, {
        data: {
          name: 'edge-s', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false,
          nginxLayout: { managedDir, mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort, httpsPort: await freePort(), logDir: path.join(nginx.prefix, 'logs') },
        },
      });
      expect(srv.status(), await srv.text()).toBe(201);
      const serverId = (await srv.json()).id as string;
      for (const [name, port] of [['echo-pool', echo.port], ['web-pool', web.port]] as const) {
        const r = await page.request.post(`${app.url}/api/v1/upstreams`, { data: { name, targets: [{ host: '127.0.0.1', port }] } });
        expect(r.status()).toBe(201);
      }

      // A stream on the server's HTTP port: the clash is shown beside the port field.
      await page.goto(`${app.url}/streams`);
      await page.getByText('No streams yet').waitFor();
      await page.getByRole('button', { name: 'New stream' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Upstream pool').selectOption({ label: 'echo-pool' });
      await dialog.getByLabel('Listen port').fill(String(httpPort));
      await dialog.getByRole('button', { name: 'Add stream' }).click();
      await dialog.getByText(`Port ${httpPort} is the server's HTTP listener (its domains answer there).`).waitFor();
      await shot(page, 'streams-01-port-in-use');
      const port = await freePort();
      await dialog.getByLabel('Listen port').fill(String(port));
      await dialog.getByRole('button', { name: 'Add stream' }).click();
      const row = page.getByRole('row', { name: new RegExp(`TCP ${port}`) });
      await row.getByText('pending', { exact: true }).waitFor();

      await row.getByRole('button', { name: 'Deploy the streams of edge-s' }).click();
      const deploy = page.getByRole('dialog', { name: 'Deploying the streams of edge-s' });
      await deploy.getByText('nginx -t passed and Nginx reloaded with the new streams.').waitFor({ timeout: 60_000 });
      await deploy.getByText('succeeded').waitFor();
      await shot(page, 'streams-02-deployed');
      await deploy.getByRole('button', { name: 'Close' }).last().click();
      await row.getByText('deployed', { exact: true }).waitFor();
      expect(await tcpRoundTrip(port, 'through the console')).toBe('echo:through the console');

      // A domain, deployed through the API; its page follows the access log live.
      const pools = (await (await page.request.get(`${app.url}/api/v1/upstreams`)).json()).items as { id: string; name: string }[];
      const d = await page.request.post(`${app.url}/api/v1/domains`, { data: { fqdn: 'logs.e2e.test', serverId, upstreamId: pools.find((p) => p.name === 'web-pool')!.id } });
      expect(d.status()).toBe(201);
      const domainId = (await d.json()).id as string;
      const task = (await (await page.request.post(`${app.url}/api/v1/servers/${serverId}/deploy`)).json()).taskId as string;
      await expect.poll(async () => (await (await page.request.get(`${app.url}/api/v1/tasks/${task}`)).json()).status, { timeout: 60_000 }).toBe('succeeded');

      await page.goto(`${app.url}/domains/${domainId}`);
      const panel = page.getByRole('region', { name: 'Live log' });
      await panel.getByText('Live.').waitFor({ timeout: 30_000 });
      const lines = panel.getByLabel('Access log lines');
      await expect.poll(async () => {
        await httpRequest('http://logs.e2e.test/seen-in-the-browser', { connectTo: { host: '127.0.0.1', port: httpPort } });
        return lines.textContent();
      }, { timeout: 30_000 }).toContain('GET /seen-in-the-browser');
      await panel.getByLabel('Filter').fill('no-such-line');
      await lines.getByText('No line matches the filter.').waitFor();
      await panel.getByLabel('Filter').fill('');
      await panel.getByRole('button', { name: 'Pause' }).click();
      await httpRequest('http://logs.e2e.test/while-paused', { connectTo: { host: '127.0.0.1', port: httpPort } });
      await panel.getByRole('button', { name: /Resume \(\d+ new\)/ }).waitFor({ timeout: 30_000 });
      expect(await lines.textContent()).not.toContain('/while-paused');
      await panel.getByRole('button', { name: /Resume/ }).click();
      await lines.getByText(/GET \/while-paused/).waitFor();
      await panel.getByLabel('Log', { exact: true }).selectOption('error');
      await panel.getByLabel('Error log lines').waitFor();
      await shot(page, 'streams-03-live-log');
    } finally {
      await ctx.close();
    }
  });
});
