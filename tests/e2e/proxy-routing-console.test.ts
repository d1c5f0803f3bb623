import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, withFailureShot } from '../support/e2e';
import { generateKeyPair } from '../support/sshd';
import { requireBinary } from '../support/process';

const enabled = requireBinary('chromium', 'ssh-keygen');

/**
 * Redirects, locations and access lists in the browser: the Access lists page creates, edits and
 * deletes a list with errors beside the field, driven by the keyboard; the domain form takes a
 * redirect, an access list and a location row, each error beside its own input.
 */
describe.skipIf(!enabled)('redirects, locations and access lists in the console', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(async () => stopConsole({ app, browser }));

  it('manages access lists and routes a domain', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    try {
      await withFailureShot(page, app, 'routing-failure', async () => {
        await signIn(page, app, ADMIN);
        const { privateKey } = await generateKeyPair();
        const srv = await page.request.post(`${app.url}/api/v1/servers`, { data: { name: 'edge-r', host: '127.0.0.1', authMethod: 'key', privateKey, monitoringEnabled: false } });
        expect(srv.status(), await srv.text()).toBe(201);
        const pool = await page.request.post(`${app.url}/api/v1/upstreams`, { data: { name: 'api-pool', targets: [{ host: '127.0.0.1', port: 9000 }] } });
        expect(pool.status()).toBe(201);

        // Access lists: reachable from the navigation; a bad source is reported beside its field.
        await page.goto(`${app.url}/`);
        await page.getByRole('link', { name: 'Access lists' }).click();
        await page.getByText('No access lists yet').waitFor();
        await page.getByRole('button', { name: 'New access list' }).focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name', { exact: true }).fill('office');
        await dialog.getByRole('button', { name: 'Add user' }).click();
        await dialog.getByLabel('User name').fill('alice');
        await dialog.getByLabel('Password').fill('correct horse');
        await dialog.getByRole('button', { name: 'Add rule' }).click();
        await dialog.getByLabel('Address, CIDR range or all').fill('10.0.0.0/33');
        await dialog.getByLabel('Address, CIDR range or all').press('Enter');
        const sourceError = dialog.getByText('IPv4 prefixes are /0 to /32.');
        await sourceError.waitFor();
        // The message is tied to its input.
        const describedBy = await dialog.getByLabel('Address, CIDR range or all').getAttribute('aria-describedby');
        expect(describedBy).toBeTruthy();
        await shot(page, 'routing-01-access-list-error');
        await dialog.getByLabel('Address, CIDR range or all').fill('10.0.0.0/8');
        await dialog.getByRole('button', { name: 'Create access list' }).click();
        const row = page.getByRole('row', { name: /office/ });
        await row.getByText('10.0.0.0/8').waitFor();
        expect(await row.textContent()).not.toContain('correct horse');
        await shot(page, 'routing-02-access-lists');

        // Edit: the password input is empty and may stay so.
        await row.getByRole('button', { name: 'Edit office' }).click();
        const edit = page.getByRole('dialog');
        expect(await edit.getByLabel(/Password/).inputValue()).toBe('');
        await edit.getByText('Leave empty to keep the current password.').waitFor();
        await edit.getByRole('button', { name: 'Save' }).click();
        await edit.waitFor({ state: 'hidden' });

        // A redirecting domain with a location: errors land beside the redirect URL and the path.
        await page.goto(`${app.url}/domains`);
        await page.getByRole('button', { name: 'New domain' }).click();
        const form = page.getByRole('dialog');
        await form.getByLabel('Domain name').fill('old.e2e.test');
        await form.getByLabel('Upstream pool').selectOption({ label: 'None (the domain redirects)' });
        await form.getByLabel('Redirect this domain to another URL').check();
        await form.getByLabel('Redirect to URL').fill('https://new.e2e.test/$host');
        await form.getByLabel('Access list', { exact: true }).selectOption({ label: 'office' });
        await form.getByRole('button', { name: 'Add location' }).click();
        await form.getByLabel('Path prefix').fill('/api;/');
        await form.getByRole('button', { name: 'Add domain' }).click();
        await form.getByText(/Paths may not contain "\$"|percent-encode/).waitFor();
        await form.getByText(/Location paths may contain letters/).waitFor();
        await shot(page, 'routing-03-domain-errors');
        await form.getByLabel('Redirect to URL').fill('https://new.e2e.test/');
        await form.getByLabel('Path prefix').fill('/api/');
        await form.getByRole('button', { name: 'Add domain' }).click();
        const domainRow = page.getByRole('row', { name: /old\.e2e\.test/ });
        await domainRow.getByText('pending', { exact: true }).waitFor();
        const list = await (await page.request.get(`${app.url}/api/v1/domains`)).json();
        const d = list.items.find((x: { fqdn: string }) => x.fqdn === 'old.e2e.test');
        expect(d).toMatchObject({ upstreamId: null, redirect: { url: 'https://new.e2e.test/', code: 301, preservePath: true }, locations: [{ path: '/api/', websocket: false, clientMaxBodySize: '1m', accessListId: null }] });
        expect(d.locations[0].upstreamId).toBe((await pool.json()).id);
        await shot(page, 'routing-04-domains');

        // In use: deleting the list is refused with the reason.
        await page.goto(`${app.url}/access-lists`);
        await page.getByRole('button', { name: 'Delete office' }).click();
        await page.getByRole('button', { name: 'Delete access list' }).click();
        await page.getByText(/is used by old\.e2e\.test/).waitFor();
        await shot(page, 'routing-05-in-use');
      });
    } finally {
      await ctx.close();
    }
  });
});
