import { eq } from 'drizzle-orm';
import { getDb } from '../db';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Actor } from './actor';

/** Admin-only operations: a signed-in user gets 403. */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new ForbiddenError('Only an admin can do this.');
}

/** Server ids a user may see; `null` means every server (admins). */
export async function visibleServerIds(actor: Actor): Promise<string[] | null> {
  if (actor.role === 'admin') return null;
  const { db, t } = getDb();
  const rows = await db.select({ serverId: t.serverShares.serverId }).from(t.serverShares).where(eq(t.serverShares.userId, actor.id));
  return rows.map((r) => r.serverId);
}

/** A server not shared with a user is a 404 for them, not a 403 (CONTRACT.md, Roles). */
export async function requireServerVisible(actor: Actor, serverId: string, what = 'Server'): Promise<void> {
  const ids = await visibleServerIds(actor);
  if (ids && !ids.includes(serverId)) throw new NotFoundError(what);
}
