import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { open, seal } from '../crypto/secret-box';
import { getSecuritySettings } from '../settings/service';
import { twoFactorCodeInput, type TwoFactorStatus } from './schemas';
import {
  RECOVERY_CODE_COUNT, hashRecoveryCode, looksLikeRecoveryCode, looksLikeTotp, newRecoveryCode, newTotpSecret, recoveryCodeMatches, totpUri, verifyTotp,
} from './totp';

/**
 * Two-factor sign-in (TOTP, RFC 6238) for password accounts. The secret is sealed at rest and
 * shown once, at enrolment; it is enabled only after a code from the app proves it was saved.
 * Recovery codes are stored as bcrypt hashes and each works once.
 */

type UserRow = typeof import('../db/schema/sqlite').users.$inferSelect;

async function findUser(id: string): Promise<UserRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.users).where(eq(t.users.id, id)).limit(1);
  return row;
}

async function ownRow(actor: Actor): Promise<UserRow> {
  const row = await findUser(actor.id);
  if (!row) throw new NotFoundError('User');
  return row;
}

export const twoFactorEnabled = (u: Pick<UserRow, 'totpEnabledAt' | 'totpSecretEnc'>) => Boolean(u.totpEnabledAt && u.totpSecretEnc);

/** Is two-factor sign-in required for everyone (settings.security.require2fa)? */
export async function twoFactorRequired(): Promise<boolean> {
  return (await getSecuritySettings()).require2fa;
}

/**
 * A session without two-factor while the setting requires it: it may only enrol (lib/auth).
 * Never for single sign-on accounts: their provider does the second factor, not Gatehouse.
 */
export async function mustEnrolTwoFactor(user: Pick<UserRow, 'totpEnabledAt' | 'totpSecretEnc'> & { authProvider?: UserRow['authProvider'] }): Promise<boolean> {
  if (user.authProvider === 'oidc') return false;
  return !twoFactorEnabled(user) && (await twoFactorRequired());
}

/** `/me/2fa` for a single sign-on account: two-factor is the provider's business. */
function refuseSingleSignOn(row: UserRow): void {
  if (row.authProvider === 'oidc') {
    throw new ConflictError('two_factor_single_sign_on', 'This account signs in through single sign-on: set up two-factor at your identity provider.');
  }
}

/** Does this account sign in through single sign-on (no password, no two-factor of Gatehouse's)? */
export async function signsInWithSingleSignOn(actor: Actor): Promise<boolean> {
  return (await ownRow(actor)).authProvider === 'oidc';
}

export async function getTwoFactorStatus(actor: Actor): Promise<TwoFactorStatus> {
  const row = await ownRow(actor);
  const { db, t } = getDb();
  const unused = twoFactorEnabled(row)
    ? (await db.select({ id: t.recoveryCodes.id }).from(t.recoveryCodes).where(and(eq(t.recoveryCodes.userId, row.id), isNull(t.recoveryCodes.usedAt)))).length
    : 0;
  return { enabled: twoFactorEnabled(row), required: await twoFactorRequired(), recoveryCodesLeft: unused };
}

/** Step 1: a new secret for the authenticator app. Nothing changes at sign-in until it is confirmed. */
export async function startTwoFactorEnrolment(actor: Actor): Promise<{ secret: string; otpauthUrl: string }> {
  const row = await ownRow(actor);
  refuseSingleSignOn(row);
  if (twoFactorEnabled(row)) throw new ConflictError('two_factor_enabled', 'Two-factor sign-in is already on. Turn it off first to set up a new app.');
  const secret = newTotpSecret();
  const { db, t } = getDb();
  await db.update(t.users).set({ totpPendingEnc: seal(secret), updatedAt: new Date() }).where(eq(t.users.id, row.id));
  return { secret, otpauthUrl: totpUri(row.email, secret) };
}

const badCode = () => ValidationError.field('code', 'The code is not right. Use the current 6-digit code from your authenticator app.');

/** Step 2: a current code from the app turns it on; answers the ten recovery codes, shown only now. */
export async function confirmTwoFactorEnrolment(actor: Actor, input: unknown): Promise<{ recoveryCodes: string[] }> {
  const { code } = parseInput(twoFactorCodeInput, input);
  const row = await ownRow(actor);
  refuseSingleSignOn(row);
  if (twoFactorEnabled(row)) throw new ConflictError('two_factor_enabled', 'Two-factor sign-in is already on.');
  if (!row.totpPendingEnc) throw new ConflictError('not_enrolling', 'Start the set-up first (POST /me/2fa/enrol).');
  const secret = open(row.totpPendingEnc);
  const step = await verifyTotp(secret, code, null);
  if (step === null) throw badCode();
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const hashes = await Promise.all(recoveryCodes.map(hashRecoveryCode));
  await atomically(async (db) => {
    const { t } = getDb();
    const now = new Date();
    const done = await db
      .update(t.users)
      .set({ totpSecretEnc: row.totpPendingEnc, totpPendingEnc: null, totpLastStep: step, totpEnabledAt: now, updatedAt: now })
      .where(and(eq(t.users.id, row.id), eq(t.users.totpPendingEnc, row.totpPendingEnc!)))
      .returning({ id: t.users.id });
    if (done.length === 0) throw new ConflictError('not_enrolling', 'The set-up changed meanwhile (started again elsewhere?). Start it again.');
    await db.delete(t.recoveryCodes).where(eq(t.recoveryCodes.userId, row.id));
    await db.insert(t.recoveryCodes).values(hashes.map((codeHash) => ({ id: newId(), userId: row.id, codeHash, createdAt: now })));
    await recordAudit(actor, 'user.2fa_enable', { type: 'user', id: row.id });
    await publish({ type: 'user.2fa', data: { userId: row.id, enabled: true }, userId: row.id });
  });
  return { recoveryCodes };
}

async function clearTwoFactor(db: Parameters<Parameters<typeof atomically>[0]>[0], userId: string) {
  const { t } = getDb();
  await db.update(t.users).set({ totpSecretEnc: null, totpPendingEnc: null, totpLastStep: null, totpEnabledAt: null, updatedAt: new Date() }).where(eq(t.users.id, userId));
  await db.delete(t.recoveryCodes).where(eq(t.recoveryCodes.userId, userId));
}

/** Turning it off takes a current code (or a recovery code): a left-open session alone cannot. */
export async function disableTwoFactor(actor: Actor, input: unknown): Promise<void> {
  const { code } = parseInput(twoFactorCodeInput, input);
  const row = await ownRow(actor);
  if (!twoFactorEnabled(row)) throw new ConflictError('two_factor_disabled', 'Two-factor sign-in is not on.');
  if (!(await checkSecondFactor(row, code))) throw ValidationError.field('code', 'The code is not right. Use a current code from your app, or a recovery code.');
  await atomically(async (db) => {
    await clearTwoFactor(db, row.id);
    await recordAudit(actor, 'user.2fa_disable', { type: 'user', id: row.id });
    await publish({ type: 'user.2fa', data: { userId: row.id, enabled: false }, userId: row.id });
  });
}

/** An admin (or the CLI) turns it off for someone who lost their device; they sign in with the password alone. */
export async function resetTwoFactor(actor: Actor, userId: string): Promise<void> {
  requireAdmin(actor);
  const row = await findUser(userId);
  if (!row) throw new NotFoundError('User');
  await atomically(async (db) => {
    await clearTwoFactor(db, row.id);
    await recordAudit(actor, 'user.2fa_reset', { type: 'user', id: row.id }, { email: row.email, wasEnabled: twoFactorEnabled(row) });
    await publish({ type: 'user.2fa', data: { userId: row.id, enabled: false }, userId: row.id });
  });
}

/**
 * Sign-in's second step (lib/auth): a current TOTP not used before, or an unused recovery code,
 * which is used up. Answers how the code matched, or null.
 */
export async function checkSecondFactor(user: UserRow, codeRaw: string): Promise<'totp' | 'recovery_code' | null> {
  const code = codeRaw.trim();
  if (!twoFactorEnabled(user) || code.length === 0 || code.length > 64) return null;
  const { db, t } = getDb();
  if (looksLikeTotp(code.replace(/\s+/g, ''))) {
    const step = await verifyTotp(open(user.totpSecretEnc!), code, user.totpLastStep);
    if (step === null) return null;
    // Only one sign-in gets each step, even when two race with the same code.
    const taken = await db
      .update(t.users)
      .set({ totpLastStep: step })
      .where(and(eq(t.users.id, user.id), or(isNull(t.users.totpLastStep), lt(t.users.totpLastStep, step))))
      .returning({ id: t.users.id });
    return taken.length ? 'totp' : null;
  }
  if (!looksLikeRecoveryCode(code)) return null;
  const unused = await db
    .select({ id: t.recoveryCodes.id, codeHash: t.recoveryCodes.codeHash })
    .from(t.recoveryCodes)
    .where(and(eq(t.recoveryCodes.userId, user.id), isNull(t.recoveryCodes.usedAt)))
    .orderBy(asc(t.recoveryCodes.id));
  for (const candidate of unused) {
    if (!(await recoveryCodeMatches(code, candidate.codeHash))) continue;
    const used = await db
      .update(t.recoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(t.recoveryCodes.id, candidate.id), isNull(t.recoveryCodes.usedAt)))
      .returning({ id: t.recoveryCodes.id });
    return used.length ? 'recovery_code' : null;
  }
  return null;
}
