import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER, withFailureShot, type Credentials } from '../support/e2e';
import { requireBinary } from '../support/process';

const enabled = requireBinary('chromium');
const VIEWER: Credentials = { email: 'vic@example.test', password: 'viewer-password-1' };

/**
 * Issue 19 (a) in the browser: the admin shares a server at level Operate in the share editor;
 * the operator sees, on that server, its domains and its silences, exactly the buttons the
 * operate level allows (test, installs, deploy, domain edit/delete/deploy, DNS check, silences)
 * and none of the admin's (edit, share, delete server; template and custom directives); on a
 * server they only view, and for a view-only user, no button at all.
 */
describe.skipIf(!enabled)('operate-level shares in the console', () => {
  let app: AppServer;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ app, browser } = await startConsole({ SCHEDULER: 'off', GATEHOUSE_TASK_RUNNER: 'off' }));
  });
  afterAll(async () => stopConsole({ app, browser }));

  const post = async (page: Page, path: string, data: unknown) => {
    const r = await page.request.post(`${app.url}/api/v1${path}`, { data });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return (await r.json()) as { id: string };
  };
  const button = (page: Page, name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' });

  it('the admin picks the level; each user sees only the buttons they may use', async () => {
    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await withFailureShot(admin, app, 'operate-admin', async () => {
      await signIn(admin, app, ADMIN);
      ids.op = (await post(admin, '/users', { ...USER, role: 'user', name: 'Uma' })).id;
      ids.viewer = (await post(admin, '/users', { ...VIEWER, role: 'user', name: 'Vic' })).id;
      const server = (name: string) => post(admin, '/servers', { name, host: '10.0.0.9', authMethod: 'password', password: 'ssh-password-1', monitoringEnabled: false });
      ids.a = (await server('edge-a')).id;
      ids.b = (await server('edge-b')).id;
      ids.up = (await post(admin, '/upstreams', { name: 'pool-a', targets: [{ host: '127.0.0.1', port: 9001 }] })).id;
      ids.da = (await post(admin, '/domains', { fqdn: 'a.op.test', serverId: ids.a, upstreamId: ids.up, customDirectives: 'gzip on;' })).id;
      ids.db = (await post(admin, '/domains', { fqdn: 'b.op.test', serverId: ids.b, upstreamId: ids.up })).id;
      await admin.request.patch(`${app.url}/api/v1/servers/${ids.b}`, { data: { shares: [{ userId: ids.op, level: 'view' }] } });
      ids.silenceB = (await post(admin, '/silences', { serverId: ids.b, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'admin window' })).id;

      // The share editor: Uma operates edge-a, Vic views it.
      await admin.goto(`${app.url}/servers/${ids.a}`);
      await button(admin, 'Share').click();
      const dialog = admin.getByRole('dialog');
      await dialog.getByLabel(/uma@example\.test/).check();
      await dialog.getByLabel('Access level for uma at example.test').selectOption({ label: 'Operate' });
      await dialog.getByLabel(/vic@example\.test/).check();
      await shot(admin, 'operate-01-share-editor');
      await dialog.getByRole('button', { name: 'Save sharing' }).click();
      await admin.getByText('edge-a is shared with 2 users (1 may operate it).').waitFor();
      const shared = await (await admin.request.get(`${app.url}/api/v1/servers/${ids.a}`)).json();
      expect(shared.shares).toEqual(
        [{ userId: ids.op, level: 'operate' }, { userId: ids.viewer, level: 'view' }].sort((x, y) => (x.userId < y.userId ? -1 : 1)),
      );
      await admin.getByText('uma@example.test · Operate').waitFor();
      // The admin has every button.
      for (const name of ['Test connection', 'Edit', 'Share', 'Delete edge-a']) await button(admin, name).waitFor();
    });

    const op = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await withFailureShot(op, app, 'operate-operator', async () => {
      await signIn(op, app, USER);
      // Their server: test and installs, not the admin's server actions.
      await op.goto(`${app.url}/servers/${ids.a}`);
      await button(op, 'Test connection').waitFor();
      await button(op, 'Install Nginx').waitFor();
      await button(op, 'Install Glances').waitFor();
      for (const name of ['Edit', 'Share', 'Delete edge-a']) expect(await button(op, name).count(), name).toBe(0);
      await shot(op, 'operate-02-server-operator');
      // A server they only view: nothing.
      await op.goto(`${app.url}/servers/${ids.b}`);
      await op.getByRole('heading', { name: 'edge-b' }).waitFor();
      for (const name of ['Test connection', 'Install Nginx', 'Install Glances', 'Edit', 'Share', 'Delete edge-b']) expect(await button(op, name).count(), name).toBe(0);

      // Domains: edit, deploy and delete on edge-a's domain only; "New domain" offers edge-a only.
      await op.goto(`${app.url}/domains`);
      await button(op, 'Edit a.op.test').waitFor();
      await button(op, 'Deploy a.op.test').waitFor();
      await button(op, 'Delete a.op.test').waitFor();
      for (const name of ['Edit b.op.test', 'Deploy b.op.test', 'Delete b.op.test']) expect(await button(op, name).count(), name).toBe(0);
      await shot(op, 'operate-03-domains-operator');
      await button(op, /New domain/).click();
      const create = op.getByRole('dialog');
      const servers = await create.getByLabel('Server').locator('option').allTextContents();
      expect(servers).toEqual(['edge-a']);
      // Template and custom directives are not fields they can change.
      expect(await create.getByLabel('Template').count()).toBe(0);
      expect(await create.getByLabel('Custom directives').count()).toBe(0);
      await create.getByRole('button', { name: 'Cancel' }).click();

      // Editing edge-a's domain keeps the admin's directives and saves.
      await button(op, 'Edit a.op.test').click();
      const edit = op.getByRole('dialog');
      await edit.getByText('gzip on;').waitFor();
      await edit.getByLabel('WebSocket support').check();
      await edit.getByRole('button', { name: 'Save' }).click();
      await op.getByText('Saved a.op.test. It is pending until the next deploy.').waitFor();
      const after = await (await op.request.get(`${app.url}/api/v1/domains/${ids.da}`)).json();
      expect(after).toMatchObject({ websocket: true, customDirectives: 'gzip on;' });

      // The domain page: edit, deploy and the DNS check on theirs; nothing on the other.
      await op.goto(`${app.url}/domains/${ids.da}`);
      await button(op, 'Edit').waitFor();
      await button(op, 'Deploy this domain').waitFor();
      await button(op, 'Check nameservers now').waitFor();
      await op.goto(`${app.url}/domains/${ids.db}`);
      await op.getByRole('heading', { name: 'b.op.test' }).waitFor();
      for (const name of ['Edit', 'Deploy this domain', 'Check nameservers now']) expect(await button(op, name).count(), name).toBe(0);
      await op.goto(`${app.url}/domains/servers/${ids.a}`);
      await button(op, 'Deploy server').waitFor();
      await op.goto(`${app.url}/domains/servers/${ids.b}`);
      await op.getByRole('heading', { name: /edge-b/ }).waitFor();
      expect(await button(op, 'Deploy server').count()).toBe(0);

      // Silences: a new one on their server (only theirs offered); "End now" only on theirs.
      await op.goto(`${app.url}/alerts/silences`);
      await button(op, /New silence/).click();
      const silence = op.getByRole('dialog');
      const targets = (await silence.getByLabel('Silence').locator('option').allTextContents()).slice(1);
      expect(targets).toEqual(['Server: edge-a (and its domains)', 'Domain: a.op.test']);
      await silence.getByRole('button', { name: 'Cancel' }).click();
      const mine = await op.request.post(`${app.url}/api/v1/silences`, { data: { serverId: ids.a, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'my window' } });
      expect(mine.status(), await mine.text()).toBe(201);
      await op.reload();
      await button(op, 'End the silence of Server edge-a').waitFor();
      expect(await button(op, 'End the silence of Server edge-b').count()).toBe(0);
      await shot(op, 'operate-04-silences-operator');
    });

    const viewer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await withFailureShot(viewer, app, 'operate-viewer', async () => {
      await signIn(viewer, app, VIEWER);
      await viewer.goto(`${app.url}/servers/${ids.a}`);
      await viewer.getByRole('heading', { name: 'edge-a' }).waitFor();
      for (const name of ['Test connection', 'Install Nginx', 'Install Glances', 'Edit', 'Share', 'Delete edge-a']) expect(await button(viewer, name).count(), name).toBe(0);
      await viewer.goto(`${app.url}/domains`);
      await viewer.getByRole('cell', { name: /a\.op\.test/ }).first().waitFor();
      expect(await button(viewer, /New domain/).count()).toBe(0);
      expect(await button(viewer, 'Edit a.op.test').count()).toBe(0);
      await viewer.goto(`${app.url}/domains/${ids.da}`);
      await viewer.getByRole('heading', { name: 'a.op.test' }).waitFor();
      for (const name of ['Edit', 'Deploy this domain', 'Check nameservers now']) expect(await button(viewer, name).count(), name).toBe(0);
      await viewer.goto(`${app.url}/alerts/silences`);
      await viewer.getByRole('heading', { name: 'Alerts' }).waitFor();
      expect(await button(viewer, /New silence/).count()).toBe(0);
      expect(await viewer.getByRole('button', { name: /End the silence/ }).count()).toBe(0);
      await shot(viewer, 'operate-05-silences-viewer');
    });
  });
});
