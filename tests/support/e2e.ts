/**
 * What every browser test starts with: the built app and a Chromium, the accounts it signs in
 * with, the sign-in itself, and a screenshot plus the app's log when a walk-through fails.
 *
 *   ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));   // admin from ADMIN
 *   await signIn(page, app, ADMIN);
 *   await stopConsole({ app, browser });
 */
import type { Browser, Page } from 'playwright-core';
import { startApp, type AppServer } from './app-server';
import { launchBrowser, shot, takeCspViolations } from './browser';

export interface Credentials {
  email: string;
  password: string;
}

/** The first admin, created by startConsole through ADMIN_EMAIL / ADMIN_PASSWORD. */
export const ADMIN: Credentials = { email: 'admin@example.test', password: 'admin-password-1' };
/** The regular user the tests create (through the API or the users page). */
export const USER: Credentials = { email: 'uma@example.test', password: 'user-password-1' };

export interface ConsoleUnderTest {
  app: AppServer;
  browser: Browser;
}

/**
 * Starts the built app (its own port, data directory and database) with `admin` as its first
 * admin — ADMIN by default, `null` for a fresh install with no user — and launches Chromium.
 */
export async function startConsole(env: Record<string, string> = {}, opts: { admin?: Credentials | null } = {}): Promise<ConsoleUnderTest> {
  const admin = opts.admin === undefined ? ADMIN : opts.admin;
  const app = await startApp({ ...(admin ? { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password } : {}), ...env });
  try {
    return { app, browser: await launchBrowser() };
  } catch (err) {
    await app.stop();
    throw err;
  }
}

/**
 * Closes the browser, then stops the app; either may be missing when start-up failed. Fails when
 * a page reported a Content-Security-Policy violation: the console must work under its own CSP.
 */
export async function stopConsole(c: Partial<ConsoleUnderTest>): Promise<void> {
  const violations = c.browser ? takeCspViolations(c.browser) : [];
  await c.browser?.close();
  await c.app?.stop();
  if (violations.length) throw new Error(`Content-Security-Policy violations in the browser:\n${[...new Set(violations)].join('\n')}`);
}

/** Signs in on the login page and waits for the dashboard. */
export async function signIn(page: Page, app: AppServer, who: Credentials): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${app.url}/`);
}

/** Runs a walk-through; when it fails, saves `<name>-failure.png` and prints the app's last log lines. */
export async function withFailureShot<T>(page: Page, app: AppServer, name: string, walk: () => Promise<T>): Promise<T> {
  try {
    return await walk();
  } catch (err) {
    await shot(page, `${name}-failure`);
    console.error(app.logs().slice(-4000));
    throw err;
  }
}
