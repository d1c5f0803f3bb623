import { describe, expect, it } from 'vitest';
import { NextRequest } from 'next/server';
import { atPublicUrl } from '@/lib/auth/next-auth';

/**
 * next-auth's callback URL (the redirect_uri of the token request) comes from the request next-auth
 * is handed: it must be AUTH_URL's origin, as on the sign-in step, whatever host the request
 * reached (a loopback one that a NextRequest renames `localhost`, or a proxy's upstream address).
 */
describe('atPublicUrl', () => {
  it('keeps a loopback AUTH_URL as it is (a NextRequest would say localhost)', () => {
    const incoming = new NextRequest('http://127.0.0.1:3000/api/auth/callback/oidc?code=c&state=s');
    expect(incoming.url).toBe('http://localhost:3000/api/auth/callback/oidc?code=c&state=s');
    expect(atPublicUrl(incoming, 'http://127.0.0.1:3000').url).toBe('http://127.0.0.1:3000/api/auth/callback/oidc?code=c&state=s');
  });

  it('behind a proxy: the public origin, the path and query of the request', () => {
    const incoming = new NextRequest('http://10.0.0.5:3000/api/auth/callback/oidc?code=c', { headers: { cookie: 'a=b' } });
    const out = atPublicUrl(incoming, 'https://gatehouse.example.com');
    expect(out.url).toBe('https://gatehouse.example.com/api/auth/callback/oidc?code=c');
    expect(out.headers.get('cookie')).toBe('a=b');
  });

  it('carries a POST body; leaves the request alone without AUTH_URL', async () => {
    const post = new NextRequest('http://localhost:3000/api/auth/callback/credentials', { method: 'POST', body: 'email=a%40b.c', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const out = atPublicUrl(post, 'http://127.0.0.1:3000');
    expect(out.method).toBe('POST');
    expect(await out.text()).toBe('email=a%40b.c');
    const plain = new NextRequest('http://localhost:3000/api/auth/session');
    expect(atPublicUrl(plain, null)).toBe(plain);
  });
});
