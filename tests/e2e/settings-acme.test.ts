import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startApp, type AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole, USER } from '../support/e2e';

/**
 * Settings → ACME in the browser: a bad directory URL is refused beside its field; a preset and
 * an e-mail save and show in GET /api/v1/settings; a value set by an environment variable is
 * read-only; a user never sees the card, and the API refuses them.
 */
const STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

const acmeCard = (page: Page) => page.locator('section').filter({ has: page.locator('#acme') });
const acmeSettings = async (page: Page, app: AppServer) => (await (await page.request.get(`${app.url}/api/v1/settings`)).json()).acme as { directoryUrl: string; email: string | null };

describe('ACME settings in the browser', () => {
  let app: AppServer;
  let pinnedApp: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await pinnedApp?.stop();
  });

  it('refuses a bad URL beside its field, saves a preset and an e-mail, and keeps users out', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, app, ADMIN);
    await page.goto(`${app.url}/settings`);
    const card = acmeCard(page);
    await page.locator('#acme').getByText("Let's Encrypt", { exact: true }).waitFor();
    expect(await acmeSettings(page, app)).toEqual({ directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: null });

    // Another ACME server, typed wrong: the message sits beside the URL field, nothing is saved.
    await card.getByLabel('ACME server').selectOption({ label: 'Another ACME server…' });
    await card.getByLabel('Directory URL').fill('acme.example.test/directory');
    await card.getByRole('button', { name: 'Save' }).click();
    const url = card.getByLabel('Directory URL');
    await card.getByText(/Use the ACME directory URL/).waitFor();
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    await expect(url.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await shot(page, 'settings-acme-01-bad-url');
    expect((await acmeSettings(page, app)).directoryUrl).toBe('https://acme-v02.api.letsencrypt.org/directory');

    // A bad e-mail is refused the same way.
    await card.getByLabel('ACME server').selectOption({ label: "Let's Encrypt staging (test certificates)" });
    await card.getByLabel(/^Account e-mail/).fill('not-an-address');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Use an e-mail address.').waitFor();

    // Staging and an e-mail: saved, shown by the API and after a reload.
    await card.getByLabel(/^Account e-mail/).fill('certs@example.test');
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved the ACME settings/).first().waitFor();
    expect(await acmeSettings(page, app)).toEqual({ directoryUrl: STAGING, email: 'certs@example.test' });
    await page.reload();
    await page.locator('#acme').getByText('staging', { exact: true }).waitFor();
    expect(await acmeCard(page).getByLabel(/^Account e-mail/).inputValue()).toBe('certs@example.test');
    expect(await acmeCard(page).getByText(STAGING).count()).toBe(1);
    await shot(page, 'settings-acme-02-saved');

    // A custom directory, and the e-mail removed.
    await acmeCard(page).getByLabel('ACME server').selectOption({ label: 'Another ACME server…' });
    await acmeCard(page).getByLabel('Directory URL').fill('https://acme.example.test/directory');
    await acmeCard(page).getByLabel(/^Account e-mail/).fill('');
    await acmeCard(page).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => acmeSettings(page, app)).toEqual({ directoryUrl: 'https://acme.example.test/directory', email: null });

    const dark = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark', storageState: await ctx.storageState() })).newPage();
    await dark.goto(`${app.url}/settings`);
    await dark.locator('#acme').getByText('custom', { exact: true }).waitFor();
    await acmeCard(dark).scrollIntoViewIfNeeded();
    await shot(dark, 'settings-acme-03-custom-dark');

    // A user: no settings page, and the API answers 403; signed out, 401.
    expect((await page.request.post(`${app.url}/api/v1/users`, { data: { ...USER, role: 'user' } })).status()).toBe(201);
    const userPage = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn(userPage, app, USER);
    await userPage.goto(`${app.url}/settings`);
    await userPage.getByText(/Only an admin/).waitFor();
    expect(await userPage.locator('#acme').count()).toBe(0);
    expect((await userPage.request.get(`${app.url}/api/v1/settings`)).status()).toBe(403);
    expect((await userPage.request.patch(`${app.url}/api/v1/settings`, { data: { acme: { email: 'x@example.test' } } })).status()).toBe(403);
    expect((await fetch(`${app.url}/api/v1/settings`)).status).toBe(401);
  });

  it('shows values set by environment variables read-only and saves the rest', async () => {
    pinnedApp = await startApp({ SCHEDULER: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ACME_EMAIL: 'pki@example.test' });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, pinnedApp, ADMIN);
    await page.goto(`${pinnedApp.url}/settings`);
    const card = acmeCard(page);
    const email = card.getByLabel(/^Account e-mail/);
    await expect(email.isDisabled()).resolves.toBe(true);
    expect(await email.inputValue()).toBe('pki@example.test');
    await card.getByText('Set by the ACME_EMAIL environment variable; change it there.').waitFor();
    await card.getByLabel('ACME server').selectOption({ label: "Let's Encrypt staging (test certificates)" });
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved the ACME settings/).first().waitFor();
    expect(await acmeSettings(page, pinnedApp)).toEqual({ directoryUrl: STAGING, email: 'pki@example.test' });
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'settings-acme-04-env-pinned');
  });
});
