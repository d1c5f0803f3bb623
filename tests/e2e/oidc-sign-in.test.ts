import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../support/app-server';
import { shot } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole } from '../support/e2e';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { oidcProviderInstalled, startOidcProvider, type OidcTestProvider } from '../support/oidc-provider';

// Needs Chromium and the `oidc-provider` package (a real OpenID provider, started here on loopback).
const enabled = requireBinary('chromium') && oidcProviderInstalled();
const BUTTON = 'Company SSO';

/**
 * Issue 19 (b) in the browser, against a real OpenID provider: sign-in through the provider's own
 * login page for a user in the admin group, one in the user group, the refusal of one in no
 * group; a changed group changing the role at the next sign-in; a forged `state` and a forged
 * `nonce` refused; the provider down giving one plain sentence on /login while password sign-in
 * still works. Every outcome is checked in the audit log too.
 */
describe.skipIf(!enabled)('single sign-on in the browser', () => {
  let app: AppServer;
  let browser: Browser;
  let idp: OidcTestProvider;

  beforeAll(async () => {
    const port = await freePort();
    idp = await startOidcProvider({
      redirectUri: `http://127.0.0.1:${port}/api/auth/callback/oidc`,
      users: [
        { login: 'alice', email: 'alice@corp.test', name: 'Alice', groups: ['gh-admins'] },
        { login: 'bob', email: 'bob@corp.test', name: 'Bob', groups: ['gh-users'] },
        { login: 'carol', email: 'carol@corp.test', name: 'Carol', groups: ['marketing'] },
      ],
    });
    ({ app, browser } = await startConsole({
      SCHEDULER: 'off',
      PORT: String(port),
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_NAME: BUTTON,
      OIDC_ADMIN_GROUPS: 'gh-admins',
      OIDC_USER_GROUPS: 'gh-users,ops',
    }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await idp?.stop().catch(() => undefined);
  });

  /** Our button → the provider's login page → its consent page → back to Gatehouse. */
  async function ssoSignIn(page: Page, login: string) {
    try {
      await ssoSteps(page, login);
    } catch (err) {
      console.error(`[oidc] stuck at ${page.url()}:\n${(await page.content().catch(() => '')).slice(0, 1500)}\n${app.logs().slice(-1500)}`);
      throw err;
    }
  }
  async function ssoSteps(page: Page, login: string) {
    await page.goto(`${app.url}/login`);
    await page.getByRole('button', { name: BUTTON }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    if (await consent.isVisible().catch(() => false)) await consent.click();
    await page.waitForURL((u) => u.port === String(app.port));
  }
  const newPage = async () => (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const me = async (page: Page) => (await (await page.request.get(`${app.url}/api/v1/me`)).json()) as { email: string; role: string };
  const audit = async (admin: Page) => ((await (await admin.request.get(`${app.url}/api/v1/audit?limit=100`)).json()) as { items: { action: string; actor: { email: string }; details: Record<string, unknown> }[] }).items;

  it('shows the button, signs in an admin-group and a user-group user, refuses one in no group', async () => {
    const alice = await newPage();
    await alice.goto(`${app.url}/login`);
    await alice.getByRole('button', { name: BUTTON }).waitFor();
    await alice.getByLabel('Password').waitFor(); // password sign-in stays (PASSWORD_SIGN_IN on)
    await shot(alice, 'oidc-01-login');
    await ssoSignIn(alice, 'alice');
    await alice.waitForURL(`${app.url}/`);
    expect(await me(alice)).toMatchObject({ email: 'alice@corp.test', role: 'admin' });
    await alice.goto(`${app.url}/users`);
    // The Users page marks single sign-on accounts; Account has no Two-factor card for them.
    await alice.getByRole('cell', { name: /^alice@corp\.test/ }).getByText('single sign-on').waitFor();
    await alice.goto(`${app.url}/account`);
    await alice.getByRole('heading', { name: 'API tokens', exact: true }).waitFor();
    expect(await alice.getByRole('heading', { name: 'Two-factor', exact: true }).count()).toBe(0);

    const bob = await newPage();
    await ssoSignIn(bob, 'bob');
    expect(await me(bob)).toMatchObject({ email: 'bob@corp.test', role: 'user' });

    const carol = await newPage();
    await ssoSignIn(carol, 'carol');
    await carol.waitForURL((u) => u.pathname === '/login');
    await carol.getByText('is not in a group allowed to use Gatehouse').waitFor();
    await shot(carol, 'oidc-02-not-in-group');
    expect((await carol.request.get(`${app.url}/api/v1/me`)).status()).toBe(401);

    const admin = await newPage();
    await signIn(admin, app, ADMIN);
    const items = await audit(admin);
    expect(items.find((a) => a.action === 'auth.sign_in' && a.actor.email === 'alice@corp.test')?.details).toEqual({ method: 'oidc' });
    expect(items.find((a) => a.action === 'auth.sign_in_refused' && a.actor.email === 'carol@corp.test')?.details).toEqual({ method: 'oidc', reason: 'not_in_group' });
    const users = (await (await admin.request.get(`${app.url}/api/v1/users`)).json()) as { items: { email: string; authProvider: string }[] };
    expect(users.items.find((u) => u.email === 'bob@corp.test')?.authProvider).toBe('oidc');
    expect(users.items.some((u) => u.email === 'carol@corp.test')).toBe(false);
  });

  it('a changed group changes the role at the next sign-in', async () => {
    idp.setGroups('bob', ['gh-admins']);
    const bob = await newPage();
    await ssoSignIn(bob, 'bob');
    expect(await me(bob)).toMatchObject({ role: 'admin' });
    const admin = await newPage();
    await signIn(admin, app, ADMIN);
    expect((await audit(admin)).find((a) => a.action === 'user.role')?.details).toEqual({ from: 'user', to: 'admin' });
    idp.setGroups('bob', ['gh-users']);
  });

  it('a forged state is refused: back on /login with one sentence, no session', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/login`);
    await page.getByRole('button', { name: BUTTON }).click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    // The browser holds the state and PKCE cookies of a real attempt; the callback comes with another state.
    await page.goto(`${app.url}/api/auth/callback/oidc?code=forged-code&state=forged-state&iss=${encodeURIComponent(idp.issuer)}`);
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByText('Single sign-on did not work').waitFor();
    expect(await page.content()).not.toMatch(/InvalidCheck|stack|forged-code/);
    expect((await page.request.get(`${app.url}/api/v1/me`)).status()).toBe(401);
  });

  it('a forged nonce is refused, the same sign-in with its own nonce gets in', async () => {
    // First the walk untouched: the nonce next-auth sent comes back in the ID token, Alice gets in.
    const honest = await newPage();
    await ssoSignIn(honest, 'alice');
    await honest.waitForURL(`${app.url}/`);
    expect(await me(honest)).toMatchObject({ email: 'alice@corp.test' });

    const page = await newPage();
    // Rewrite the nonce on its way to the provider: the ID token then names another one than the cookie.
    let rewritten = 0;
    await page.route(`${idp.issuer}/auth**`, (route) => {
      const url = new URL(route.request().url());
      if (url.searchParams.has('nonce')) {
        url.searchParams.set('nonce', 'forged-nonce');
        rewritten++;
      }
      return route.continue({ url: url.toString() });
    });
    // The provider did issue a code: Gatehouse's callback got one (so the refusal is the nonce check's).
    const callbacks: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/auth/callback/oidc' && u.searchParams.has('code')) callbacks.push(u.search);
    });
    await ssoSignIn(page, 'alice');
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByText('Single sign-on did not work').waitFor();
    expect(rewritten).toBeGreaterThan(0);
    expect(callbacks).toHaveLength(1);
    expect((await page.request.get(`${app.url}/api/v1/me`)).status()).toBe(401);
  });

  it('the provider down: one plain sentence on /login; password sign-in still works', async () => {
    await idp.stop();
    try {
      const page = await newPage();
      await page.goto(`${app.url}/login`);
      await page.getByRole('button', { name: BUTTON }).click();
      await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.has('error'));
      await page.getByText('Single sign-on did not work: the identity provider could not be reached').waitFor();
      expect(await page.content()).not.toMatch(/ECONNREFUSED|fetch failed|TypeError/);
      await shot(page, 'oidc-03-provider-down');
      await signIn(page, app, ADMIN);
      expect(await me(page)).toMatchObject({ role: 'admin' });
      expect((await audit(page)).find((a) => a.action === 'auth.sign_in_refused' && a.details.reason === 'provider_error')?.details).toMatchObject({ method: 'oidc' });
    } finally {
      await idp.restart();
    }
  });
});

/** PASSWORD_SIGN_IN=off: only the button, and the credentials callback gives no session. */
describe.skipIf(!enabled)('single sign-on only (PASSWORD_SIGN_IN=off)', () => {
  let app: AppServer;
  let browser: Browser;
  let idp: OidcTestProvider;

  beforeAll(async () => {
    const port = await freePort();
    idp = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/api/auth/callback/oidc`, users: [{ login: 'alice', email: 'alice@corp.test', groups: ['gh-admins'] }] });
    ({ app, browser } = await startConsole({
      SCHEDULER: 'off', PORT: String(port), OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_NAME: BUTTON,
      OIDC_ADMIN_GROUPS: 'gh-admins', PASSWORD_SIGN_IN: 'off',
    }));
  });
  afterAll(async () => {
    await stopConsole({ app, browser });
    await idp?.stop().catch(() => undefined);
  });

  it('shows only the button; a credentials POST gets no session', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/login`);
    await page.getByRole('button', { name: BUTTON }).waitFor();
    expect(await page.getByLabel('Password').count()).toBe(0);
    const csrf = ((await (await page.request.get(`${app.url}/api/auth/csrf`)).json()) as { csrfToken: string }).csrfToken;
    await page.request.post(`${app.url}/api/auth/callback/credentials`, { form: { csrfToken: csrf, email: ADMIN.email, password: ADMIN.password }, maxRedirects: 0 });
    expect((await page.request.get(`${app.url}/api/v1/me`)).status()).toBe(401);
  });
});
