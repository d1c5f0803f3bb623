import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { signIn, startConsole, stopConsole, USER } from '../support/e2e';

/**
 * Issue #2 end to end: first-run setup → admin signs in → creates a user → the user signs in and
 * sees the limited console → the admin deactivates them → the user's next request is signed out.
 */
describe('first run, users and roles in the browser', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }, { admin: null }));
  });
  afterAll(() => stopConsole({ app, browser }));

  it('walks through setup, user management and deactivation', async () => {
    const code = app.setupCode();
    expect(code).toMatch(/^[0-9A-F-]{14}$/);

    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await admin.goto(`${app.url}/`);
    await admin.waitForURL(/\/(login|setup)$/);
    await admin.goto(`${app.url}/setup`);
    await shot(admin, 'foundation-01-setup');
    await admin.getByLabel('Setup code').fill('0000-0000-0000');
    await admin.getByLabel('E-mail').fill('admin@example.test');
    await admin.getByLabel('Password').fill('admin-password-1');
    await admin.getByRole('button', { name: 'Create admin and sign in' }).click();
    await admin.getByText(/setup code is not right/i).waitFor();
    await admin.getByLabel('Setup code').fill(code!);
    await admin.getByLabel('Password').fill('admin-password-1');
    await admin.getByRole('button', { name: 'Create admin and sign in' }).click();
    await admin.waitForURL(`${app.url}/`);
    await shot(admin, 'foundation-02-dashboard-admin');

    // The setup page is gone once a user exists.
    await admin.goto(`${app.url}/setup`);
    await admin.waitForURL(/\/(login|)$/);

    await admin.goto(`${app.url}/users`);
    await admin.getByRole('button', { name: 'New user' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('E-mail').fill('uma@example.test');
    await dialog.getByLabel('Name').fill('Uma');
    await dialog.getByLabel('Password').fill('short');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByText(/at least 10 characters/i).first().waitFor();
    await shot(admin, 'foundation-03-user-form-error');
    await dialog.getByLabel('Password').fill('user-password-1');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await admin.getByRole('cell', { name: /uma@example\.test/ }).first().waitFor();
    await shot(admin, 'foundation-04-users');

    // The user signs in and sees the limited console: no admin entries.
    const userCtx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const user = await userCtx.newPage();
    await signIn(user, app, USER);
    await shot(user, 'foundation-05-user-console-phone');
    const html = await user.content();
    expect(html).not.toContain('href="/users"');
    expect(html).not.toContain('href="/audit"');
    await user.goto(`${app.url}/users`);
    await user.getByText(/only an admin/i).waitFor();
    const me = await user.request.get(`${app.url}/api/v1/me`);
    expect(me.status()).toBe(200);
    expect((await me.json()).role).toBe('user');
    expect((await user.request.get(`${app.url}/api/v1/users`)).status()).toBe(403);

    // The admin deactivates them: the user's very next request is signed out.
    await admin.goto(`${app.url}/users`);
    await admin.getByRole('button', { name: 'Deactivate uma@example.test', exact: true }).click();
    await admin.getByRole('button', { name: 'Activate uma@example.test', exact: true }).waitFor();
    expect((await user.request.get(`${app.url}/api/v1/me`)).status()).toBe(401);
    await user.goto(`${app.url}/`);
    await user.waitForURL(/\/login/);
    await shot(user, 'foundation-06-user-signed-out');

    await admin.goto(`${app.url}/audit`);
    // The filter's action list names user.update too: look for it in the log itself.
    await admin.locator('td').filter({ hasText: 'user.update' }).first().waitFor();
    await shot(admin, 'foundation-07-audit');
  });
});
