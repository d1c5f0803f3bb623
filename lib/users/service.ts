import { and, asc, eq, gt, ne, sql } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { hashPassword, verifyPassword } from './password';
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { revokeAllTokensOf } from '../tokens/service';
import { toPage, type ListParams } from '../pagination';
import { changeOwnPasswordInput, userCreateInput, userPatchInput, type UserDto } from './schemas';

type UserRow = typeof import('../db/schema/sqlite').users.$inferSelect;

export const toUserDto = (u: UserRow): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  twoFactorEnabled: Boolean(u.totpEnabledAt && u.totpSecretEnc),
  authProvider: u.authProvider,
});

export async function listUsers(actor: Actor, params: ListParams) {
  requireAdmin(actor);
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.users)
    .where(params.cursor ? gt(t.users.id, params.cursor) : undefined)
    .orderBy(asc(t.users.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, toUserDto);
}

async function findUser(id: string): Promise<UserRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.users).where(eq(t.users.id, id)).limit(1);
  return row;
}

export async function findUserByEmail(email: string): Promise<UserRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.users).where(eq(t.users.email, email.toLowerCase())).limit(1);
  return row;
}

/** A successful sign-in (lib/auth). */
export async function recordSignIn(userId: string): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.users).set({ lastLoginAt: new Date() }).where(eq(t.users.id, userId));
}

export async function getUser(actor: Actor, id: string): Promise<UserDto> {
  requireAdmin(actor);
  const row = await findUser(id);
  if (!row) throw new NotFoundError('User');
  return toUserDto(row);
}

export async function countUsers(): Promise<number> {
  const { db, t } = getDb();
  const [r] = await db.select({ n: sql<number>`count(*)` }).from(t.users);
  return Number(r.n);
}

/**
 * First run (lib/auth's bootstrap and setup): the first admin, only while no user exists. The
 * check and the insert are one transaction, the caller's when it is in one, so what it does
 * around them (checking the setup code, its audit entry) commits or rolls back with them.
 * null: a user exists already.
 */
export async function createFirstAdmin(user: { email: string; name: string; passwordHash: string }): Promise<{ id: string } | null> {
  return atomically(async (db) => {
    const { t } = getDb();
    if ((await countUsers()) > 0) return null;
    const now = new Date();
    const id = newId();
    await db.insert(t.users).values({ id, email: user.email, name: user.name, role: 'admin', passwordHash: user.passwordHash, createdAt: now, updatedAt: now });
    return { id };
  });
}

export async function createUser(actor: Actor, input: unknown): Promise<UserDto> {
  requireAdmin(actor);
  const data = parseInput(userCreateInput, input);
  const passwordHash = await hashPassword(data.password);
  return atomically(async (db) => {
    const { t } = getDb();
    if (await findUserByEmail(data.email)) throw new ConflictError('user_exists', 'A user with this e-mail already exists.', undefined, 'email');
    const now = new Date();
    const row = { id: newId(), email: data.email, name: data.name, role: data.role, active: data.active, passwordHash, createdAt: now, updatedAt: now };
    await db.insert(t.users).values(row);
    await recordAudit(actor, 'user.create', { type: 'user', id: row.id }, { email: row.email, role: row.role });
    return toUserDto({ ...row, sessionVersion: 0, lastLoginAt: null, totpSecretEnc: null, totpPendingEnc: null, totpLastStep: null, totpEnabledAt: null, authProvider: 'password', oidcSubject: null });
  });
}

/** Would this change leave no active admin? */
async function isLastActiveAdmin(userId: string): Promise<boolean> {
  const { db, t } = getDb();
  const [r] = await db
    .select({ n: sql<number>`count(*)` })
    .from(t.users)
    .where(and(eq(t.users.role, 'admin'), eq(t.users.active, true), ne(t.users.id, userId)));
  return Number(r.n) === 0;
}

export async function updateUser(actor: Actor, id: string, input: unknown): Promise<UserDto> {
  requireAdmin(actor);
  const patch = parseInput(userPatchInput, input);
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return atomically(async (db) => {
    const { t } = getDb();
    const current = await findUser(id);
    if (!current) throw new NotFoundError('User');
    const demoted = patch.role === 'user' && current.role === 'admin';
    const deactivated = patch.active === false && current.active;
    if ((demoted || deactivated) && current.role === 'admin' && current.active && (await isLastActiveAdmin(id))) {
      throw ValidationError.field(demoted ? 'role' : 'active', 'This is the last active admin: make another admin first.');
    }
    if (patch.email && patch.email !== current.email && (await findUserByEmail(patch.email))) {
      throw new ConflictError('user_exists', 'A user with this e-mail already exists.', undefined, 'email');
    }
    // Ending sessions: a new password, a deactivation or a role change invalidates every session.
    const endSessions = Boolean(passwordHash) || deactivated || (patch.role !== undefined && patch.role !== current.role);
    const changes = {
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.active !== undefined && { active: patch.active }),
      ...(passwordHash && { passwordHash }),
      ...(endSessions && { sessionVersion: current.sessionVersion + 1 }),
      updatedAt: new Date(),
    };
    await db.update(t.users).set(changes).where(eq(t.users.id, id));
    if (passwordHash || deactivated) await revokeAllTokensOf(id);
    const { password: _omit, ...audited } = patch;
    await recordAudit(actor, 'user.update', { type: 'user', id }, { ...audited, ...(passwordHash && { passwordChanged: true }) });
    return toUserDto({ ...current, ...changes });
  });
}

export async function deleteUser(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findUser(id);
    if (!current) throw new NotFoundError('User');
    if (current.id === actor.id) throw new ConflictError('cannot_delete_self', 'You cannot delete your own account.');
    if (current.role === 'admin' && current.active && (await isLastActiveAdmin(id))) {
      throw new ConflictError('last_admin', 'This is the last active admin: make another admin first.');
    }
    await db.delete(t.users).where(eq(t.users.id, id));
    await recordAudit(actor, 'user.delete', { type: 'user', id }, { email: current.email });
  });
}

/** Anyone changes their own password by proving the current one; other sessions end. */
export async function changeOwnPassword(actor: Actor, input: unknown): Promise<void> {
  const data = parseInput(changeOwnPasswordInput, input);
  const current = await findUser(actor.id);
  if (!current) throw new NotFoundError('User');
  if (!(await verifyPassword(data.currentPassword, current.passwordHash))) {
    throw ValidationError.field('currentPassword', 'The current password is not right.');
  }
  const passwordHash = await hashPassword(data.newPassword);
  await atomically(async (db) => {
    const { t } = getDb();
    await db
      .update(t.users)
      .set({ passwordHash, sessionVersion: current.sessionVersion + 1, updatedAt: new Date() })
      .where(eq(t.users.id, actor.id));
    await revokeAllTokensOf(actor.id);
    await recordAudit(actor, 'user.password_change', { type: 'user', id: actor.id });
  });
}

/** CLI and bootstrap: users addressed by e-mail. */
export async function requireUserByEmail(email: string): Promise<UserRow> {
  const row = await findUserByEmail(email);
  if (!row) throw new NotFoundError(`User ${email}`);
  return row;
}
