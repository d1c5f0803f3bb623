import { and, eq, isNull } from 'drizzle-orm';
import { getDb } from '../db';
import { AppError, UnauthorizedError } from '../errors';
import { recordAudit } from '../audit';
import { hashToken, markTokenUsed } from '../tokens/service';
import { recordSignIn } from '../users/service';
import { dummyHash, verifyPassword } from '../users/password';
import { mustEnrolTwoFactor, twoFactorEnabled, checkSecondFactor } from '../users/two-factor';
import { assertSignInAllowed, clearSignInFailures, recordSignInFailure } from './rate-limit';
import type { Actor } from '../access/actor';

/** Why a password sign-in was refused (audit `auth.sign_in_refused`, `details.reason`). */
type RefusalReason = 'unknown_account' | 'bad_credentials' | 'deactivated' | 'bad_code';

/** A sign-in refused at the second step; `code` tells the login form what to say. */
export class SecondFactorError extends AppError {
  constructor(code: 'code_required' | 'bad_code') {
    super(401, code, code === 'code_required' ? 'Enter the code from your authenticator app.' : 'The two-factor code is not right.');
  }
}

const signInActor = (user: { id: string; email: string; name: string; role: 'admin' | 'user' } | undefined, email: string, address: string | null): Actor => ({
  id: user?.id ?? 'anonymous',
  email: user?.email ?? email.slice(0, 254),
  name: user?.name ?? '',
  role: user?.role ?? 'user',
  via: 'session',
  address,
});

/**
 * Checks e-mail, password and, for an account with two-factor sign-in, the code: a current TOTP
 * or an unused recovery code (rate-limited together); returns the user for the session or throws.
 * Every outcome is audited: `auth.sign_in` with the method, `auth.sign_in_refused` with the reason.
 */
export async function verifyCredentials(emailRaw: string, password: string, address: string | null, code?: string | null) {
  const email = emailRaw.trim().toLowerCase();
  await assertSignInAllowed(email, address);
  const { db, t } = getDb();
  const [user] = await db.select().from(t.users).where(eq(t.users.email, email)).limit(1);
  // A single sign-on account has no password (an empty hash) until the CLI sets one: compared
  // against the dummy for the same timing, and never a match.
  const ok = (await verifyPassword(password, user?.passwordHash || dummyHash())) && Boolean(user?.passwordHash);
  const actor = signInActor(user, email, address);
  const refuse = async (reason: RefusalReason, count = true) => {
    if (count) await recordSignInFailure(email, address);
    await recordAudit(actor, 'auth.sign_in_refused', { type: 'user', id: user?.id ?? null }, { method: 'password', reason });
  };
  if (!user || !ok || !user.active) {
    await refuse(!user ? 'unknown_account' : !ok ? 'bad_credentials' : 'deactivated');
    throw new UnauthorizedError('E-mail or password is not right.');
  }
  let method: 'password' | 'totp' | 'recovery_code' = 'password';
  if (twoFactorEnabled(user)) {
    const given = (code ?? '').trim();
    // No code yet: the password was right, so only ask for the code (not a guess to count).
    if (!given) {
      await refuse('bad_code', false);
      throw new SecondFactorError('code_required');
    }
    const used = await checkSecondFactor(user, given);
    if (!used) {
      await refuse('bad_code');
      throw new SecondFactorError('bad_code');
    }
    method = used;
  }
  await clearSignInFailures(email);
  await recordSignIn(user.id);
  await recordAudit(actor, 'auth.sign_in', { type: 'user', id: user.id }, { method });
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}

/** A session (JWT) is valid while its user is active and its version matches the user's. */
export async function actorFromSession(
  claims: { uid?: unknown; sv?: unknown } | null | undefined,
  address: string | null,
): Promise<Actor | null> {
  if (!claims || typeof claims.uid !== 'string') return null;
  const { db, t } = getDb();
  const [user] = await db.select().from(t.users).where(eq(t.users.id, claims.uid)).limit(1);
  if (!user || !user.active || user.sessionVersion !== claims.sv) return null;
  const actor: Actor = { id: user.id, email: user.email, name: user.name, role: user.role, via: 'session', address };
  // settings.security.require2fa: a session without two-factor may only set it up (pages and API).
  if (await mustEnrolTwoFactor(user)) actor.mustEnrolTwoFactor = true;
  return actor;
}

// Updating last_used_at on every request would make every API read a write; once a minute is plenty.
const LAST_USED_GRANULARITY_MS = 60_000;

/** `Authorization: Bearer gh_…` → the token owner's actor, or null when invalid in any way. */
export async function actorFromBearer(token: string, address: string | null): Promise<Actor | null> {
  if (!token.startsWith('gh_') || token.length > 200) return null;
  const { db, t } = getDb();
  const [row] = await db
    .select({ token: t.apiTokens, user: t.users })
    .from(t.apiTokens)
    .innerJoin(t.users, eq(t.users.id, t.apiTokens.userId))
    .where(and(eq(t.apiTokens.tokenHash, hashToken(token)), isNull(t.apiTokens.revokedAt)))
    .limit(1);
  if (!row || !row.user.active) return null;
  const now = Date.now();
  if (row.token.expiresAt && row.token.expiresAt.getTime() <= now) return null;
  if (!row.token.lastUsedAt || now - row.token.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    await markTokenUsed(row.token.id, new Date(now));
  }
  const u = row.user;
  return { id: u.id, email: u.email, name: u.name, role: u.role, via: 'token', address };
}
