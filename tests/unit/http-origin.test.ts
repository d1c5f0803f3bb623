import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetConfig } from '@/lib/config';
import { carriesSignInCookie, foreignOriginRefusal, isOwnOrigin, servedOverHttps } from '@/lib/http/origin';
import { newNonce, pageContentSecurityPolicy } from '@/lib/http/browser-guard';

const SESSION = 'authjs.session-token=eyJ.abc';

function req(method: string, headers: Record<string, string>, url = 'http://gatehouse.example.test/api/v1/tokens') {
  return new Request(url, { method, headers: { host: 'gatehouse.example.test', ...headers } });
}

/** AUTH_URL is read through lib/config.ts: each case sets the environment it means. */
const baseEnv = { DATA_DIR: os.tmpdir(), AUTH_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
const setAuthUrl = (AUTH_URL?: string) => resetConfig({ ...baseEnv, ...(AUTH_URL && { AUTH_URL }) });

describe('cross-site request refusal (lib/http/origin.ts)', () => {
  beforeEach(() => setAuthUrl());
  afterEach(() => setAuthUrl());

  it('recognises next-auth cookies, plain and __Secure-/__Host- prefixed, and nothing else', () => {
    expect(carriesSignInCookie(SESSION)).toBe(true);
    expect(carriesSignInCookie('theme=dark; __Secure-authjs.session-token=x')).toBe(true);
    expect(carriesSignInCookie('__Host-authjs.csrf-token=x')).toBe(true);
    expect(carriesSignInCookie('authjs.session-token.0=x')).toBe(true);
    expect(carriesSignInCookie('theme=dark; xauthjs.session-token=1')).toBe(false);
    expect(carriesSignInCookie(null)).toBe(false);
  });

  it('refuses a cookie-carrying write from another site with 403 forbidden_origin', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = foreignOriginRefusal(req(method, { cookie: SESSION, origin: 'https://evil.example' }));
      expect(res?.status, method).toBe(403);
      expect(await res!.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
    }
    expect(foreignOriginRefusal(req('POST', { cookie: SESSION, origin: 'null' }))?.status).toBe(403);
    // Same host name on another port is another origin's host.
    expect(foreignOriginRefusal(req('POST', { cookie: SESSION, origin: 'http://gatehouse.example.test:8080' }))?.status).toBe(403);
  });

  it('leaves reads, same-origin, no-Origin, cookie-less and bearer requests alone', () => {
    const foreign = 'https://evil.example';
    expect(foreignOriginRefusal(req('GET', { cookie: SESSION, origin: foreign }))).toBeNull();
    expect(foreignOriginRefusal(req('HEAD', { cookie: SESSION, origin: foreign }))).toBeNull();
    expect(foreignOriginRefusal(req('POST', { cookie: SESSION, origin: 'http://gatehouse.example.test' }))).toBeNull();
    expect(foreignOriginRefusal(req('POST', { cookie: SESSION }))).toBeNull();
    expect(foreignOriginRefusal(req('POST', { cookie: 'theme=dark', origin: foreign }))).toBeNull();
    expect(foreignOriginRefusal(req('POST', { authorization: 'Bearer gh_x', cookie: SESSION, origin: foreign }))).toBeNull();
  });

  it('takes the own origin from AUTH_URL when set, else from X-Forwarded-Host or Host', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(isOwnOrigin('https://gatehouse.example.test', h({ host: 'gatehouse.example.test' }))).toBe(true);
    expect(isOwnOrigin('https://gatehouse.example.test', h({ host: '127.0.0.1:3000', 'x-forwarded-host': 'gatehouse.example.test' }))).toBe(true);
    expect(isOwnOrigin('https://evil.example', h({ host: 'gatehouse.example.test' }))).toBe(false);
    setAuthUrl('https://panel.example.test');
    expect(isOwnOrigin('https://panel.example.test', h({ host: '127.0.0.1:3000' }))).toBe(true);
    // With AUTH_URL set, scheme and port count, and the Host header no longer decides.
    expect(isOwnOrigin('http://panel.example.test', h({ host: 'panel.example.test' }))).toBe(false);
    expect(isOwnOrigin('https://127.0.0.1:3000', h({ host: '127.0.0.1:3000' }))).toBe(false);
  });

  it('counts as HTTPS: an https AUTH_URL, X-Forwarded-Proto https, or a TLS request', () => {
    expect(servedOverHttps(req('GET', {}))).toBe(false);
    expect(servedOverHttps(req('GET', { 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(servedOverHttps(req('GET', {}, 'https://gatehouse.example.test/'))).toBe(true);
    setAuthUrl('https://panel.example.test');
    expect(servedOverHttps(req('GET', {}))).toBe(true);
  });
});

describe('page Content-Security-Policy', () => {
  it('allows scripts by nonce only, forbids framing, upgrades requests only over HTTPS', () => {
    const nonce = newNonce();
    const csp = pageContentSecurityPolicy(nonce, { https: false });
    const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src '))!;
    expect(scriptSrc).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("style-src-attr 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(pageContentSecurityPolicy(nonce, { https: true })).toContain('upgrade-insecure-requests');
    expect(csp).toContain("form-action 'self';");
    expect(pageContentSecurityPolicy(nonce, { https: false, signInProvider: 'https://id.example.test' })).toContain("form-action 'self' https://id.example.test;");
    expect(pageContentSecurityPolicy(nonce, { https: false, dev: true })).toContain("'unsafe-eval'");
    expect(pageContentSecurityPolicy(nonce, { https: false, dev: true })).toContain("style-src 'self' 'unsafe-inline'");
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(Buffer.from(n, 'base64')).toHaveLength(16);
  });
});
