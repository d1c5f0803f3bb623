/**
 * Issue 19 (b): who gets in through single sign-on and as what, on both dialects. The protocol
 * (discovery, PKCE, state, nonce) is next-auth's and is tested in the browser against a real
 * provider (tests/e2e/oidc-sign-in.test.ts); here the claims it hands over go straight into
 * lib/auth/oidc.ts: group rules at every sign-in, account creation, linking by verified e-mail,
 * deactivated accounts, the audit trail, two-factor not applying, and the users DTO.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { getDb } from '@/lib/db';
import type { OidcConfig } from '@/lib/config';
import { OidcRefusal, groupsOf, oidcSignIn, roleFromGroups } from '@/lib/auth/oidc';
import { verifyCredentials } from '@/lib/auth/authenticate';
import { actorFromSession } from '@/lib/auth/authenticate';
import { createUser } from '@/lib/users/service';
import { cliActor } from '@/lib/access/actor';
import { updateSettings } from '@/lib/settings/service';
import { startTwoFactorEnrolment } from '@/lib/users/two-factor';

const cfg: OidcConfig = {
  issuer: 'http://127.0.0.1:1/', clientId: 'gatehouse', clientSecret: 'secret', name: 'Company SSO', groupsClaim: 'groups',
  adminGroups: ['gh-admins'], userGroups: ['gh-users', 'ops'],
};

describe('group rules (pure)', () => {
  it('reads the claim as an array of strings or one string', () => {
    expect(groupsOf({ groups: ['a', 'b', 3] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(groupsOf({ roles: ['x'] }, 'groups')).toEqual([]);
    expect(groupsOf({ groups: { a: 1 } }, 'groups')).toEqual([]);
  });
  it('admin group beats user group; neither: refused; no rules: unchanged', () => {
    expect(roleFromGroups(['ops', 'gh-admins'], cfg)).toBe('admin');
    expect(roleFromGroups(['ops'], cfg)).toBe('user');
    expect(roleFromGroups(['other'], cfg)).toBeNull();
    expect(roleFromGroups([], { adminGroups: [], userGroups: [] })).toBe('unchanged');
    expect(roleFromGroups(['gh-admins'], { adminGroups: [], userGroups: ['x'] })).toBeNull();
  });
});

describe.each(dialects)('single sign-on accounts on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let n = 0;
  const email = () => `sso${++n}-${dialect}@example.test`;

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
  });
  afterAll(async () => tdb?.close());

  const userRow = async (id: string) => {
    const { db, t } = getDb();
    return (await db.select().from(t.users).where(eq(t.users.id, id)))[0]!;
  };
  const audits = async (action: string) => {
    const r = await api('GET', `/api/v1/audit?limit=200`, { token: s.adminToken });
    return r.body.items.filter((a: { action: string }) => a.action === action) as { action: string; actor: { id: string; email: string }; target: { id: string | null }; details: Record<string, unknown> }[];
  };
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(OidcRefusal);
    return (err as OidcRefusal).reason;
  };

  it('a first sign-in in a group creates the account: authProvider oidc, no password, role from the groups', async () => {
    const address = email();
    const u = await oidcSignIn({ sub: `sub-${address}`, email: address, email_verified: true, name: 'Sam', groups: ['gh-admins'] }, '127.0.0.1', cfg);
    expect(u).toMatchObject({ email: address, name: 'Sam', role: 'admin' });
    const row = await userRow(u.id);
    expect(row).toMatchObject({ authProvider: 'oidc', oidcSubject: `sub-${address}`, passwordHash: '' });
    const dto = await api('GET', `/api/v1/users/${u.id}`, { token: s.adminToken });
    expect(dto.body.authProvider).toBe('oidc');
    const signIn = (await audits('auth.sign_in')).find((a) => a.target.id === u.id);
    expect(signIn?.details).toEqual({ method: 'oidc' });
    // No password: nothing signs in with one, not even the dummy hash's own text.
    for (const password of ['', 'no-such-account', 'anything-at-all']) {
      await expect(verifyCredentials(address, password || 'x', '127.0.0.1')).rejects.toThrow();
    }
  });

  it('the role follows the groups at every sign-in, audited as user.role {from, to}', async () => {
    const address = email();
    const claims = { sub: `sub-${address}`, email: address, email_verified: true };
    const first = await oidcSignIn({ ...claims, groups: ['ops'] }, null, cfg);
    expect(first.role).toBe('user');
    const promoted = await oidcSignIn({ ...claims, groups: 'gh-admins' }, null, cfg);
    expect(promoted).toMatchObject({ id: first.id, role: 'admin' });
    expect((await userRow(first.id)).role).toBe('admin');
    const demoted = await oidcSignIn({ ...claims, groups: ['gh-users'] }, null, cfg);
    expect(demoted.role).toBe('user');
    const changes = (await audits('user.role')).filter((a) => a.target.id === first.id).map((a) => a.details);
    expect(changes).toEqual(expect.arrayContaining([{ from: 'user', to: 'admin' }, { from: 'admin', to: 'user' }]));
    expect(changes).toHaveLength(2);
  });

  it('no group: refused (not_in_group), no account created; audited with method and reason', async () => {
    const address = email();
    expect(await refusal(oidcSignIn({ sub: `sub-${address}`, email: address, email_verified: true, groups: ['other'] }, null, cfg))).toBe('not_in_group');
    const { db, t } = getDb();
    expect(await db.select().from(t.users).where(eq(t.users.email, address))).toHaveLength(0);
    const refused = (await audits('auth.sign_in_refused')).find((a) => a.actor.email === address);
    expect(refused?.details).toEqual({ method: 'oidc', reason: 'not_in_group' });
    // An existing account leaving its groups is refused too.
    const kept = email();
    const u = await oidcSignIn({ sub: `sub-${kept}`, email: kept, email_verified: true, groups: ['ops'] }, null, cfg);
    expect(await refusal(oidcSignIn({ sub: `sub-${kept}`, email: kept, email_verified: true, groups: [] }, null, cfg))).toBe('not_in_group');
    expect((await userRow(u.id)).role).toBe('user');
  });

  it('an existing password account is linked by verified e-mail only; then found by sub', async () => {
    const address = email();
    const pw = await createUser(cliActor, { email: address, password: 'user-password-1', role: 'user', name: 'Pat' });
    // Unverified address: not linked, and no second account with the same e-mail either.
    expect(await refusal(oidcSignIn({ sub: 'sub-pat', email: address, email_verified: false, groups: ['ops'] }, null, cfg))).toBe('unknown_account');
    expect((await userRow(pw.id)).oidcSubject).toBeNull();
    const linked = await oidcSignIn({ sub: 'sub-pat', email: address, email_verified: true, groups: ['gh-admins'] }, null, cfg);
    expect(linked).toMatchObject({ id: pw.id, role: 'admin' });
    const row = await userRow(pw.id);
    expect(row).toMatchObject({ oidcSubject: 'sub-pat', authProvider: 'password' });
    // The password keeps working for a linked password account.
    await expect(verifyCredentials(address, 'user-password-1', null)).resolves.toMatchObject({ id: pw.id });
    // Later: by sub, even with another (or no) e-mail at the provider.
    expect((await oidcSignIn({ sub: 'sub-pat', groups: ['gh-admins'] }, null, cfg)).id).toBe(pw.id);
    // Another sub with the same verified e-mail does not take the account over.
    expect(await refusal(oidcSignIn({ sub: 'sub-mallory', email: address, email_verified: true, groups: ['gh-admins'] }, null, cfg))).toBe('unknown_account');
  });

  it('a deactivated account is refused whatever its groups', async () => {
    const address = email();
    const u = await oidcSignIn({ sub: `sub-${address}`, email: address, email_verified: true, groups: ['ops'] }, null, cfg);
    expect((await api('PATCH', `/api/v1/users/${u.id}`, { token: s.adminToken, body: { active: false } })).status).toBe(200);
    expect(await refusal(oidcSignIn({ sub: `sub-${address}`, email: address, email_verified: true, groups: ['gh-admins'] }, null, cfg))).toBe('deactivated');
    expect((await userRow(u.id)).role).toBe('user');
    const refused = (await audits('auth.sign_in_refused')).find((a) => a.target.id === u.id);
    expect(refused?.details).toEqual({ method: 'oidc', reason: 'deactivated' });
  });

  it('both group variables unset: existing accounts only, role unchanged, none created', async () => {
    const open = { ...cfg, adminGroups: [], userGroups: [] };
    const address = email();
    const admin = await createUser(cliActor, { email: address, password: 'admin-password-1', role: 'admin', name: '' });
    const u = await oidcSignIn({ sub: `sub-${address}`, email: address, email_verified: true, groups: [] }, null, open);
    expect(u).toMatchObject({ id: admin.id, role: 'admin' });
    const stranger = email();
    expect(await refusal(oidcSignIn({ sub: `sub-${stranger}`, email: stranger, email_verified: true, groups: ['gh-admins'] }, null, open))).toBe('unknown_account');
    const { db, t } = getDb();
    expect(await db.select().from(t.users).where(eq(t.users.email, stranger))).toHaveLength(0);
  });

  it('two-factor never applies to single sign-on accounts; /me/2fa refuses them', async () => {
    await updateSettings(cliActor, { security: { require2fa: true } });
    try {
      const address = email();
      const u = await oidcSignIn({ sub: `sub-${address}`, email: address, email_verified: true, groups: ['ops'] }, null, cfg);
      const row = await userRow(u.id);
      const actor = await actorFromSession({ uid: u.id, sv: row.sessionVersion }, null);
      expect(actor?.mustEnrolTwoFactor).toBeUndefined();
      const actorOf = { id: u.id, email: address, name: '', role: 'user' as const, via: 'session' as const };
      await expect(startTwoFactorEnrolment(actorOf)).rejects.toMatchObject({ code: 'two_factor_single_sign_on' });
      // A password account still must enrol.
      const pwActor = await actorFromSession({ uid: s.user.id, sv: (await userRow(s.user.id)).sessionVersion }, null);
      expect(pwActor?.mustEnrolTwoFactor).toBe(true);
    } finally {
      await updateSettings(cliActor, { security: { require2fa: false } });
    }
  });
});
