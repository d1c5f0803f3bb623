import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type AppServer } from '../support/app-server';
import { ADMIN } from '../support/e2e';

/**
 * Issue 14 item 6, against the built app under `next start` (the only place the socket peer is
 * real): the per-address sign-in limit (20 failures in 15 minutes) counts the socket address
 * unless the peer is in TRUSTED_PROXIES. This test connects from 127.0.0.1, so with
 * TRUSTED_PROXIES=10.255.255.1/32 it is an untrusted client whose X-Forwarded-For is ignored, and
 * with the default (loopback) it is a trusted proxy whose X-Forwarded-For is believed.
 */

/** Credential sign-ins through next-auth's own route, as the login form posts them. */
async function signInClient(app: AppServer) {
  const r = await fetch(`${app.url}/api/auth/csrf`);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  return async (email: string, password: string, xff?: string) => {
    const res = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...(xff && { 'x-forwarded-for': xff }) },
      body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${app.url}/` }),
    });
    const signedIn = res.headers.getSetCookie().some((c) => /session-token=[^;]+/.test(c));
    return res.status === 429 ? 'limited' : signedIn ? 'signed-in' : 'refused';
  };
}

/** 20 failed sign-ins (unknown accounts, so only the per-address limit counts), each with its own XFF. */
async function failTwentyTimes(signIn: Awaited<ReturnType<typeof signInClient>>, xff: (i: number) => string) {
  for (let i = 0; i < 20; i++) expect(await signIn(`nobody${i}@example.test`, 'wrong-password-1', xff(i)), `attempt ${i + 1}`).toBe('refused');
}

describe('the sign-in limit and X-Forwarded-For', () => {
  let app: AppServer | undefined;
  afterAll(async () => app?.stop());

  it('from an untrusted peer, a spoofed X-Forwarded-For does not reset the per-address limit', async () => {
    app = await startApp({ SCHEDULER: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, TRUSTED_PROXIES: '10.255.255.1/32' });
    const signIn = await signInClient(app);
    expect(await signIn(ADMIN.email, ADMIN.password, '198.51.100.200')).toBe('signed-in');
    await failTwentyTimes(signIn, (i) => `198.51.100.${i}`);
    // A fresh spoofed address, a fresh account, the right password: still this socket's 21st.
    expect(await signIn(ADMIN.email, ADMIN.password, '203.0.113.99')).toBe('limited');
    expect(await signIn(ADMIN.email, ADMIN.password)).toBe('limited');
    await app.stop();
    app = undefined;
  });

  it('from a trusted peer (loopback by default), X-Forwarded-For is the client', async () => {
    app = await startApp({ SCHEDULER: 'off', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    const signIn = await signInClient(app);
    await failTwentyTimes(signIn, () => '198.51.100.7');
    expect(await signIn(ADMIN.email, ADMIN.password, '198.51.100.7')).toBe('limited');
    // Another client behind the same proxy, and the proxy's own address, are not limited.
    expect(await signIn(ADMIN.email, ADMIN.password, '198.51.100.8')).toBe('signed-in');
    expect(await signIn(ADMIN.email, ADMIN.password)).toBe('signed-in');
    // Read from the right: a client cannot prepend its way out of the limit.
    expect(await signIn(ADMIN.email, ADMIN.password, '203.0.113.1, 198.51.100.7')).toBe('limited');
  });
});
