/**
 * The users side of single sign-on (lib/auth/oidc.ts decides who gets in): finding the account
 * for a provider's `sub` (or, on its first sign-in, a verified e-mail), creating one, linking an
 * existing password account to its `sub`, and setting the role the groups give.
 */
import { eq } from 'drizzle-orm';
import { getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { recordAudit } from '../audit';

export type UserRow = typeof import('../db/schema/sqlite').users.$inferSelect;

/**
 * The account for this provider identity: the one linked to `sub`; else, only when the provider
 * vouches for the address (`email_verified`), the account with that e-mail and no other `sub`.
 * `conflict`: an account has the address but cannot be linked (unverified, or another `sub`).
 */
export async function findOidcAccount(sub: string, email: string | null, emailVerified: boolean): Promise<{ user: UserRow | null; link: boolean; conflict: boolean }> {
  const { db, t } = getDb();
  const [bySub] = await db.select().from(t.users).where(eq(t.users.oidcSubject, sub)).limit(1);
  if (bySub) return { user: bySub, link: false, conflict: false };
  if (!email) return { user: null, link: false, conflict: false };
  const [byEmail] = await db.select().from(t.users).where(eq(t.users.email, email.toLowerCase())).limit(1);
  if (!byEmail) return { user: null, link: false, conflict: false };
  if (!emailVerified || byEmail.oidcSubject) return { user: null, link: false, conflict: true };
  return { user: byEmail, link: true, conflict: false };
}

/** A first single sign-on creates the account: `authProvider: "oidc"`, no password (an empty hash never matches). */
export async function createOidcUser(actor: Actor, data: { email: string; name: string; role: 'admin' | 'user'; sub: string }): Promise<UserRow> {
  const { db, t } = getDb();
  const now = new Date();
  const row: UserRow = {
    id: newId(), email: data.email.toLowerCase(), name: data.name, role: data.role, active: true, passwordHash: '', sessionVersion: 0, lastLoginAt: null,
    createdAt: now, updatedAt: now, totpSecretEnc: null, totpPendingEnc: null, totpLastStep: null, totpEnabledAt: null, authProvider: 'oidc', oidcSubject: data.sub,
  };
  await db.insert(t.users).values(row);
  await recordAudit(actor, 'user.create', { type: 'user', id: row.id }, { email: row.email, role: row.role, authProvider: 'oidc' });
  return row;
}

/** An existing account signs in through the provider for the first time: remember its `sub`. */
export async function linkOidcSubject(actor: Actor, user: UserRow, sub: string): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.users).set({ oidcSubject: sub, updatedAt: new Date() }).where(eq(t.users.id, user.id));
  await recordAudit(actor, 'user.oidc_linked', { type: 'user', id: user.id }, { email: user.email });
}

/** The role the provider's groups give at this sign-in; audited as `user.role` when it changes. */
export async function setRoleFromProvider(actor: Actor, user: UserRow, role: 'admin' | 'user'): Promise<void> {
  if (user.role === role) return;
  const { db, t } = getDb();
  await db.update(t.users).set({ role, updatedAt: new Date() }).where(eq(t.users.id, user.id));
  await recordAudit(actor, 'user.role', { type: 'user', id: user.id }, { from: user.role, to: role });
}
