import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startApp, type AppServer } from '../support/app-server';
import { shot, takeCspViolations } from '../support/browser';
import { ADMIN, signIn, startConsole, stopConsole } from '../support/e2e';

/**
 * Issue 14 item 5 against the built app: security headers on every page, a per-request script
 * nonce, session cookie attributes, and cross-site writes with a session cookie refused with
 * 403 `forbidden_origin` (API route, server action, credentials callback) while bearer tokens,
 * same-origin and Origin-less requests work as before.
 */

const EVIL = 'https://evil.example';

/** The `Set-Cookie` of `name` (exact cookie name) in a response, or undefined. */
const setCookie = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
const cookiePair = (setCookieLine: string) => setCookieLine.split(';')[0];

/** Signs in through next-auth's own endpoints (no browser) and returns the response and the cookie jar. */
async function credentialsSignIn(app: AppServer, who = ADMIN, extra: Record<string, string> = {}) {
  const csrf = await fetch(`${app.url}/api/auth/csrf`, { headers: extra });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map(cookiePair).join('; ');
  const res = await fetch(`${app.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, ...extra },
    body: new URLSearchParams({ csrfToken, email: who.email, password: who.password, callbackUrl: `${app.url}/` }),
  });
  const jar = [csrfCookie, ...res.headers.getSetCookie().map(cookiePair)].join('; ');
  return { res, jar, csrfToken };
}

function directives(csp: string | null): Map<string, string> {
  return new Map((csp ?? '').split(';').map((d) => d.trim()).filter(Boolean).map((d) => [d.split(/\s+/)[0], d] as [string, string]));
}

describe('browser security of the console', () => {
  let app: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ app, browser } = await startConsole({ SCHEDULER: 'off' }));
  });
  afterAll(() => stopConsole({ app, browser }));

  it('gives every HTML page a nonce CSP, frame-ancestors none, nosniff and a referrer policy, and no HSTS over plain HTTP', async () => {
    const { jar } = await credentialsSignIn(app);
    for (const [path, cookie] of [['/login', ''], ['/', jar], ['/account', jar], ['/no-such-page', jar]] as const) {
      const res = await fetch(`${app.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const csp = directives(res.headers.get('content-security-policy'));
      const scriptSrc = csp.get('script-src')!;
      expect(scriptSrc, path).toMatch(/'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'$/);
      expect(scriptSrc).not.toContain("'unsafe-inline'");
      expect(csp.get('frame-ancestors')).toBe("frame-ancestors 'none'");
      expect(csp.get('object-src')).toBe("object-src 'none'");
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('makes a fresh nonce per request, and every script tag carries it', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${app.url}/login`);
      const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy')!)![1];
      nonces.add(nonce);
      const html = await res.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(1);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(3);
  });

  it('adds HSTS and upgrade-insecure-requests when the proxy in front says HTTPS', async () => {
    const res = await fetch(`${app.url}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(directives(res.headers.get('content-security-policy')).has('upgrade-insecure-requests')).toBe(true);
  });

  it('marks API JSON nosniff and not frameable', async () => {
    const res = await fetch(`${app.url}/api/v1/health`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // Built assets too: nosniff, no page policy.
    const chunk = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(await (await fetch(`${app.url}/login`)).text())![1];
    const asset = await fetch(`${app.url}${chunk}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asset.headers.get('content-security-policy')).toBeNull();
    const unauthorized = await fetch(`${app.url}/api/v1/me`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax (not Secure over plain HTTP)', async () => {
    const { res } = await credentialsSignIn(app);
    expect(res.status).toBe(302);
    const session = setCookie(res, 'authjs.session-token');
    expect(session).toBeDefined();
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
    expect(session).not.toMatch(/;\s*Secure/i);
  });

  it('refuses an API write with a session cookie from another site; same-origin, no-Origin and bearer work', async () => {
    const { jar } = await credentialsSignIn(app);
    const post = (headers: Record<string, string>, name: string) =>
      fetch(`${app.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name }) });
    const count = async () => ((await (await fetch(`${app.url}/api/v1/tokens`, { headers: { cookie: jar } })).json()) as { items: unknown[] }).items.length;

    const before = await count();
    for (const origin of [EVIL, 'null', app.url.replace('127.0.0.1', 'localhost')]) {
      const refused = await post({ cookie: jar, origin }, 'from elsewhere');
      expect(refused.status, origin).toBe(403);
      expect(await refused.json()).toEqual({ error: { code: 'forbidden_origin', message: expect.any(String) } });
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // A DELETE is refused the same way (the token is not revoked).
    const delRefused = await fetch(`${app.url}/api/v1/tokens/tok_nonexistent`, { method: 'DELETE', headers: { cookie: jar, origin: EVIL } });
    expect(delRefused.status).toBe(403);
    expect(await count()).toBe(before);

    const sameOrigin = await post({ cookie: jar, origin: app.url }, 'same origin');
    expect(sameOrigin.status).toBe(201);
    const noOrigin = await post({ cookie: jar }, 'no origin');
    expect(noOrigin.status).toBe(201);
    const { token } = (await sameOrigin.json()) as { token: string };
    const bearer = await post({ authorization: `Bearer ${token}`, origin: EVIL }, 'bearer from elsewhere');
    expect(bearer.status).toBe(201);
    expect(await count()).toBe(before + 3);
  });

  it('refuses the credentials callback with a session cookie from another site', async () => {
    const { jar, csrfToken } = await credentialsSignIn(app);
    const res = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, origin: EVIL },
      body: new URLSearchParams({ csrfToken, email: ADMIN.email, password: ADMIN.password }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden_origin');
    expect(res.headers.getSetCookie().some((c) => c.includes('session-token'))).toBe(false);
    // Sign-out is a state change too.
    const out = await fetch(`${app.url}/api/auth/signout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, origin: EVIL }, body: new URLSearchParams({ csrfToken }) });
    expect(out.status).toBe(403);
  });

  it('refuses a server action replayed from another site; the console itself works under the CSP', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
    const page = await ctx.newPage();
    await signIn(page, app, ADMIN);
    // The nonce'd inline theme script ran: dark mode applied before hydration.
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.goto(`${app.url}/account`);

    // The real server-action request the form sends, replayed once with another site's Origin.
    let refused: { status: number; body: string } | undefined;
    await page.route(`${app.url}/account`, async (route) => {
      const request = route.request();
      if (request.method() !== 'POST' || !request.headers()['next-action'] || refused) return route.continue();
      const response = await route.fetch({ headers: { ...request.headers(), origin: EVIL } });
      refused = { status: response.status(), body: await response.text() };
      await route.abort();
    });
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('replayed');
    await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => refused, { timeout: 15_000 }).toBeDefined();
    expect(refused!.status).toBe(403);
    expect(JSON.parse(refused!.body).error.code).toBe('forbidden_origin');
    await page.unroute(`${app.url}/account`);

    const tokens = async () => ((await (await page.request.get(`${app.url}/api/v1/tokens`)).json()) as { items: { name: string }[] }).items.map((t) => t.name);
    expect(await tokens()).not.toContain('replayed');

    // Sent as the browser sends it (own Origin), the same action creates the token.
    await page.goto(`${app.url}/account`);
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('from the console');
    await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Copy the token now').waitFor();
    expect(await tokens()).toContain('from the console');
    await shot(page, 'browser-security-01-token-under-csp');
    await ctx.close();
    expect(takeCspViolations(browser)).toEqual([]);
  });

  it('cannot be framed, and the browser helper notices CSP violations', async () => {
    const page = await browser.newPage();
    await page.setContent(`<iframe id="f" src="${app.url}/login" width="600" height="400"></iframe>`);
    const seen: string[] = [];
    await expect.poll(() => (seen.push(...takeCspViolations(browser)), seen.some((v) => v.includes('frame-ancestors'))), { timeout: 15_000 }).toBe(true);
    // The login form never rendered inside the frame.
    const frame = await (await page.$('#f'))!.contentFrame();
    expect(await frame!.locator('input[type=password]').count()).toBe(0);
    // A script tag without the nonce in the served HTML (what an injection would add) does not run, and is noticed.
    await page.route(`${app.url}/login`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('<head>', '<head><script>window.injected = true</script>');
      await route.fulfill({ response, body: html });
    });
    await page.goto(`${app.url}/login`);
    await page.getByLabel('E-mail').waitFor();
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await expect.poll(() => (seen.push(...takeCspViolations(browser)), seen.some((v) => v.includes('script-src'))), { timeout: 15_000 }).toBe(true);
    await page.close();
  });

  it('documents 403 forbidden_origin on every state-changing operation in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    let writes = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'get') {
          expect(op.responses['403']?.description ?? '', `${method} ${path}`).not.toContain('forbidden_origin');
        } else {
          writes++;
          expect(op.responses['403']?.description, `${method} ${path}`).toContain('`forbidden_origin`');
        }
      }
    }
    expect(writes).toBeGreaterThan(10);
  });
});

describe('behind HTTPS (AUTH_URL https)', () => {
  let app: AppServer;

  beforeAll(async () => {
    app = await startApp({ SCHEDULER: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, AUTH_URL: 'https://gatehouse.example.test' });
  });
  afterAll(() => app?.stop());

  it('sends HSTS on pages and API answers', async () => {
    for (const path of ['/login', '/api/v1/health']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
    }
  });

  it('sets the session cookie Secure, HttpOnly and SameSite=Lax, under a __Secure- name', async () => {
    const { res } = await credentialsSignIn(app);
    const session = setCookie(res, '__Secure-authjs.session-token');
    expect(session).toBeDefined();
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
  });

  it('takes the own origin from AUTH_URL: the Host header alone does not make a request same-origin', async () => {
    const { jar } = await credentialsSignIn(app);
    const post = (origin: string) => fetch(`${app.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: jar, origin }, body: JSON.stringify({ name: 'x' }) });
    expect((await post(app.url)).status).toBe(403);
    expect((await post('https://gatehouse.example.test')).status).toBe(201);
  });
});

describe('behind a TLS proxy, AUTH_URL unset', () => {
  let app: AppServer;

  beforeAll(async () => {
    app = await startApp({ SCHEDULER: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, AUTH_URL: '' });
  });
  afterAll(() => app?.stop());

  it('sets the session cookie Secure when the proxy says X-Forwarded-Proto: https', async () => {
    const { res } = await credentialsSignIn(app, ADMIN, { 'x-forwarded-proto': 'https' });
    const session = setCookie(res, '__Secure-authjs.session-token');
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
  });

  it('takes the own origin from X-Forwarded-Host or Host', async () => {
    const { jar } = await credentialsSignIn(app);
    const post = (headers: Record<string, string>) => fetch(`${app.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: jar, ...headers }, body: JSON.stringify({ name: 'x' }) });
    expect((await post({ origin: app.url })).status).toBe(201);
    expect((await post({ origin: app.url.replace('127.0.0.1', 'localhost') })).status).toBe(403);
    expect((await post({ origin: 'https://gatehouse.example.test', 'x-forwarded-host': 'gatehouse.example.test' })).status).toBe(201);
  });
});
