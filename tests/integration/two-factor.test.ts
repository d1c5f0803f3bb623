import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from 'next-auth/jwt';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { getDb } from '@/lib/db';
import { config } from '@/lib/config';
import { cliActor } from '@/lib/access/actor';
import { actorFromSession, verifyCredentials } from '@/lib/auth/authenticate';
import { createUser } from '@/lib/users/service';
import { createToken } from '@/lib/tokens/service';
import { totpNow } from '@/lib/users/totp';
import { eq } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Two-factor sign-in through the real API routes and the sign-in check the credentials callback
 * runs (lib/auth/authenticate.ts verifyCredentials). Codes come from the enrolled secret with
 * otplib's own generator: `next()` is the code of the following 30 s step, which sign-in accepts
 * (one step of drift) and which has not been used yet, so no test waits for the clock.
 */
const now = () => Math.floor(Date.now() / 1000);
const next = (secret: string) => totpNow(secret, now() + 30);

async function auditOf(action: string) {
  const { db, t } = getDb();
  return db.select().from(t.auditEvents).where(eq(t.auditEvents.action, action));
}

async function sessionCookie(userId: string) {
  const { db, t } = getDb();
  const [u] = await db.select().from(t.users).where(eq(t.users.id, userId));
  const jwt = await encode({ token: { uid: u.id, sv: u.sessionVersion }, secret: config().AUTH_SECRET, salt: 'authjs.session-token' });
  return { cookie: `authjs.session-token=${jwt}` };
}

describe.each(dialects)('two-factor sign-in on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let secret = '';
  let recovery: string[] = [];
  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
  });
  afterAll(async () => tdb?.close());

  it('roles: signed out gets 401 on every route; reset is for admins only', async () => {
    for (const [m, p] of [['GET', '/me/2fa'], ['POST', '/me/2fa/enrol'], ['POST', '/me/2fa/confirm'], ['DELETE', '/me/2fa'], ['POST', `/users/${s.user.id}/2fa/reset`]] as const) {
      expect((await api(m, `/api/v1${p}`, { body: p.endsWith('reset') || m === 'GET' || p.endsWith('enrol') ? undefined : { code: '123456' } })).status, `${m} ${p}`).toBe(401);
    }
    // A user cannot reset anyone, not even themselves; an admin can use /me/2fa for their own account.
    expect((await api('POST', `/api/v1/users/${s.admin.id}/2fa/reset`, { token: s.userToken })).status).toBe(403);
    expect((await api('POST', `/api/v1/users/${s.user.id}/2fa/reset`, { token: s.userToken })).status).toBe(403);
    expect((await api('GET', '/api/v1/me/2fa', { token: s.adminToken })).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect((await api('POST', '/api/v1/users/no-such-user/2fa/reset', { token: s.adminToken })).status).toBe(404);
  });

  it('enrol gives a secret once; only a right code turns it on, with ten recovery codes', async () => {
    expect((await api('GET', '/api/v1/me/2fa', { token: s.userToken })).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect((await api('POST', '/api/v1/me/2fa/confirm', { token: s.userToken, body: { code: '123456' } })).body.error.code).toBe('not_enrolling');
    const enrol = await api('POST', '/api/v1/me/2fa/enrol', { token: s.userToken });
    expect(enrol.status).toBe(200);
    secret = enrol.body.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.body.otpauthUrl).toMatch(new RegExp(`^otpauth://totp/Gatehouse:${encodeURIComponent(s.user.email).replace(/\./g, '\\.')}\\?`));
    expect(new URL(enrol.body.otpauthUrl).searchParams.get('secret')).toBe(secret);

    // Not on yet: a password alone still signs in.
    await expect(verifyCredentials(s.user.email, 'user-password-1', null)).resolves.toMatchObject({ id: s.user.id });

    for (const body of [{ code: '000000' }, { code: '' }, {}, { code: 12 }, { code: 'x'.repeat(65) }, { code: '123456', extra: 1 }]) {
      const r = await api('POST', '/api/v1/me/2fa/confirm', { token: s.userToken, body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.error.fields.code ?? r.body.error.fields).toBeTruthy();
    }
    const ok = await api('POST', '/api/v1/me/2fa/confirm', { token: s.userToken, body: { code: await totpNow(secret) } });
    expect(ok.status).toBe(200);
    recovery = ok.body.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    expect((await api('GET', '/api/v1/me/2fa', { token: s.userToken })).body).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect((await api('POST', '/api/v1/me/2fa/enrol', { token: s.userToken })).body.error.code).toBe('two_factor_enabled');
    expect((await api('GET', `/api/v1/users/${s.user.id}`, { token: s.adminToken })).body.twoFactorEnabled).toBe(true);

    // The secret is sealed at rest, the codes are hashed, and neither is in any later answer or the audit.
    const { db, t } = getDb();
    const [row] = await db.select().from(t.users).where(eq(t.users.id, s.user.id));
    expect(row.totpSecretEnc).toMatch(/^v1\./);
    expect(row.totpPendingEnc).toBeNull();
    const stored = JSON.stringify({ users: await db.select().from(t.users), codes: await db.select().from(t.recoveryCodes), audit: await db.select().from(t.auditEvents) });
    expect(stored).not.toContain(secret);
    for (const c of recovery) expect(stored).not.toContain(c.replace('-', ''));
    const answers = JSON.stringify([(await api('GET', '/api/v1/users', { token: s.adminToken })).body, (await api('GET', '/api/v1/me/2fa', { token: s.userToken })).body]);
    expect(answers).not.toContain(secret);
    expect(await auditOf('user.2fa_enable')).toHaveLength(1);
  });

  it('sign-in then needs the code: missing or wrong gives no session; a code works once', async () => {
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.1')).rejects.toMatchObject({ status: 401, code: 'code_required' });
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.1', '000000')).rejects.toMatchObject({ status: 401, code: 'bad_code' });
    // A wrong password is refused as before, whatever the code.
    await expect(verifyCredentials(s.user.email, 'wrong-password', '10.1.0.1', await next(secret))).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    const code = await next(secret);
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.1', code)).resolves.toMatchObject({ id: s.user.id });
    // The same code (the same step) again: refused, even within its 30 s.
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.1', code)).rejects.toMatchObject({ code: 'bad_code' });
    // An older code than the last used one: refused too.
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.1', await totpNow(secret, now() - 30))).rejects.toMatchObject({ code: 'bad_code' });

    const signIns = (await auditOf('auth.sign_in')).filter((a) => a.actorId === s.user.id);
    expect(signIns.map((a) => a.details?.method)).toEqual(['password', 'totp']);
    const refused = (await auditOf('auth.sign_in_refused')).filter((a) => a.targetId === s.user.id).map((a) => a.details);
    expect(refused).toEqual(expect.arrayContaining([{ method: 'password', reason: 'bad_code' }, { method: 'password', reason: 'bad_credentials' }]));
    expect(refused.filter((d) => d?.reason === 'bad_code')).toHaveLength(4);
    expect(JSON.stringify(refused)).not.toContain(code);
  });

  it('a recovery code signs in once, however it is typed, and is used up', async () => {
    const [first, second] = recovery;
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.2', ` ${first.toUpperCase()} `)).resolves.toMatchObject({ id: s.user.id });
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.2', first)).rejects.toMatchObject({ code: 'bad_code' });
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.2', 'abcde-fghjk')).rejects.toMatchObject({ code: 'bad_code' });
    await expect(verifyCredentials(s.user.email, 'user-password-1', '10.1.0.2', second.replace('-', ''))).resolves.toMatchObject({ id: s.user.id });
    expect((await api('GET', '/api/v1/me/2fa', { token: s.userToken })).body.recoveryCodesLeft).toBe(8);
    const methods = (await auditOf('auth.sign_in')).filter((a) => a.actorId === s.user.id).map((a) => a.details?.method);
    expect(methods.slice(-2)).toEqual(['recovery_code', 'recovery_code']);
  });

  it('wrong codes count as failed sign-ins (rate-limited), a missing one does not', async () => {
    const u = await createUser(cliActor, { email: 'limit@example.test', password: 'limit-password-1' });
    const token = (await createToken(cliActor, { name: 't' }, u.id)).token;
    const sec = (await api('POST', '/api/v1/me/2fa/enrol', { token })).body.secret;
    expect((await api('POST', '/api/v1/me/2fa/confirm', { token, body: { code: await totpNow(sec) } })).status).toBe(200);
    for (let i = 0; i < 8; i++) await expect(verifyCredentials(u.email, 'limit-password-1', '10.2.0.1')).rejects.toMatchObject({ code: 'code_required' });
    for (let i = 0; i < 5; i++) await expect(verifyCredentials(u.email, 'limit-password-1', '10.2.0.1', '111111')).rejects.toMatchObject({ code: 'bad_code' });
    await expect(verifyCredentials(u.email, 'limit-password-1', '10.2.0.2', await next(sec))).rejects.toMatchObject({ status: 429 });
  });

  it('API tokens are unaffected by two-factor sign-in', async () => {
    expect((await api('GET', '/api/v1/me', { token: s.userToken })).status).toBe(200);
    expect((await api('GET', '/api/v1/servers', { token: s.userToken })).status).toBe(200);
  });

  it('turning it off takes a code; an admin reset turns it off for a user (audited)', async () => {
    expect((await api('DELETE', '/api/v1/me/2fa', { token: s.userToken, body: { code: '000000' } })).status).toBe(422);
    expect((await api('DELETE', '/api/v1/me/2fa', { token: s.userToken, body: {} })).status).toBe(422);
    expect((await api('DELETE', '/api/v1/me/2fa', { token: s.userToken, body: { code: recovery[2] } })).status).toBe(204);
    expect((await api('GET', '/api/v1/me/2fa', { token: s.userToken })).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect((await api('DELETE', '/api/v1/me/2fa', { token: s.userToken, body: { code: '123456' } })).body.error.code).toBe('two_factor_disabled');
    await expect(verifyCredentials(s.user.email, 'user-password-1', null)).resolves.toMatchObject({ id: s.user.id });
    expect(await auditOf('user.2fa_disable')).toHaveLength(1);

    // On again, then an admin resets it: the password alone signs in, the old codes are gone.
    const sec = (await api('POST', '/api/v1/me/2fa/enrol', { token: s.userToken })).body.secret;
    const again = await api('POST', '/api/v1/me/2fa/confirm', { token: s.userToken, body: { code: await totpNow(sec) } });
    expect(again.body.recoveryCodes.some((c: string) => recovery.includes(c))).toBe(false);
    await expect(verifyCredentials(s.user.email, 'user-password-1', null)).rejects.toMatchObject({ code: 'code_required' });
    expect((await api('POST', `/api/v1/users/${s.user.id}/2fa/reset`, { token: s.adminToken })).status).toBe(204);
    await expect(verifyCredentials(s.user.email, 'user-password-1', null)).resolves.toMatchObject({ id: s.user.id });
    const { db, t } = getDb();
    expect(await db.select().from(t.recoveryCodes).where(eq(t.recoveryCodes.userId, s.user.id))).toHaveLength(0);
    const [reset] = await auditOf('user.2fa_reset');
    expect(reset).toMatchObject({ actorId: s.admin.id, targetId: s.user.id, details: { email: s.user.email, wasEnabled: true } });
  });

  it('require2fa: admins set it; a password session without two-factor may then only set it up', async () => {
    expect((await api('PATCH', '/api/v1/settings', { token: s.userToken, body: { security: { require2fa: true } } })).status).toBe(403);
    expect((await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { security: { require2fa: 'yes' } } })).status).toBe(422);
    expect((await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { security: { require2fa: true, other: 1 } } })).status).toBe(422);
    expect((await api('GET', '/api/v1/settings', { token: s.adminToken })).body.security).toEqual({ require2fa: false });
    const r = await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { security: { require2fa: true } } });
    expect(r.status).toBe(200);
    expect(r.body.security).toEqual({ require2fa: true });

    // The user has no two-factor now (reset above): their session is held at the set-up.
    const session = await sessionCookie(s.user.id);
    expect(await actorFromSession({ uid: s.user.id, sv: 0 }, null)).toMatchObject({ mustEnrolTwoFactor: true });
    const blocked = await api('GET', '/api/v1/servers', { headers: session });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('two_factor_required');
    expect((await api('POST', '/api/v1/tokens', { headers: session, body: { name: 'dodge' } })).status).toBe(403);
    expect((await api('GET', '/api/v1/me/2fa', { headers: session })).body).toEqual({ enabled: false, required: true, recoveryCodesLeft: 0 });
    expect((await api('GET', '/api/v1/me', { headers: session })).status).toBe(200);
    // API tokens are unaffected.
    expect((await api('GET', '/api/v1/servers', { token: s.userToken })).status).toBe(200);

    // Set up through the session: then everything opens again.
    const sec = (await api('POST', '/api/v1/me/2fa/enrol', { headers: session })).body.secret;
    expect((await api('POST', '/api/v1/me/2fa/confirm', { headers: session, body: { code: await totpNow(sec) } })).status).toBe(200);
    expect((await api('GET', '/api/v1/servers', { headers: session })).status).toBe(200);
    expect(await actorFromSession({ uid: s.user.id, sv: 0 }, null)).not.toHaveProperty('mustEnrolTwoFactor');

    await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { security: { require2fa: false } } });
    const admin = await sessionCookie(s.admin.id);
    expect((await api('GET', '/api/v1/servers', { headers: admin })).status).toBe(200);
  });

  it('CLI: users reset-2fa --email turns it off (audited); an unknown e-mail is one line and exit 1', async () => {
    // The user has two-factor on again (set up through the session above).
    await expect(verifyCredentials(s.user.email, 'user-password-1', null)).rejects.toMatchObject({ code: 'code_required' });
    const root = path.resolve(import.meta.dirname, '../..');
    const cfg = config();
    const env = { ...process.env, DATA_DIR: tdb.dataDir, DATABASE_URL: tdb.url, ENCRYPTION_KEY: cfg.ENCRYPTION_KEY, AUTH_SECRET: cfg.AUTH_SECRET };
    const cli = (...args: string[]) => spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', ...args], { cwd: root, env, encoding: 'utf8' });
    const ok = cli('users', 'reset-2fa', '--email', s.user.email);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(s.user.email);
    await expect(verifyCredentials(s.user.email, 'user-password-1', null)).resolves.toMatchObject({ id: s.user.id });
    expect((await auditOf('user.2fa_reset')).some((a) => a.actorId === 'cli' && a.targetId === s.user.id)).toBe(true);
    const missing = cli('users', 'reset-2fa', '--email', 'ghost@example.test');
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/not found/);
  });
});
