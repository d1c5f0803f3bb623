import { and, eq, isNull } from 'drizzle-orm';
import { getDb } from '../db';
import { UnauthorizedError } from '../errors';
import { hashToken, markTokenUsed } from '../tokens/service';
import { recordSignIn } from '../users/service';
import { dummyHash, verifyPassword } from '../users/password';
import { assertSignInAllowed, clearSignInFailures, recordSignInFailure } from './rate-limit';
import type { Actor } from '../access/actor';

/** Checks e-mail and password (rate-limited); returns the user for the session or throws. */
export async function verifyCredentials(emailRaw: string, password: string, address: string | null) {
  const email = emailRaw.trim().toLowerCase();
  await assertSignInAllowed(email, address);
  const { db, t } = getDb();
  const [user] = await db.select().from(t.users).where(eq(t.users.email, email)).limit(1);
  const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash());
  if (!user || !ok || !user.active) {
    await recordSignInFailure(email, address);
    throw new UnauthorizedError('E-mail or password is not right.');
  }
  await clearSignInFailures(email);
  await recordSignIn(user.id);
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
  return { id: user.id, email: user.email, name: user.name, role: user.role, via: 'session', address };
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
