import { and, eq } from 'drizzle-orm';
import { getDb } from '../db';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Actor } from './actor';

/**
 * Who may do what (CONTRACT.md "Roles" and "Second wave" → "Identity"), once:
 * - admin: everything;
 * - a user a server is shared with at level `view`: reads that server and what lives on it;
 * - at level `operate`: also, on that server only, test, install Nginx/Glances, deploy, create,
 *   change and delete its domains (never their custom directives, never moving one to a server
 *   they do not operate), check their DNS, silence the server or its domains and end those
 *   silences. Everything else (the server's own settings, trust-host-key, upstreams, templates,
 *   certificates, settings, users, audit...) stays admin-only.
 * A server not shared at all is a 404 for the user, not a 403.
 */
export type ShareLevel = 'view' | 'operate';
export const SHARE_LEVELS = ['view', 'operate'] as const;

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

/** Server ids a user may operate; `null` means every server (admins). */
export async function operatedServerIds(actor: Actor): Promise<string[] | null> {
  if (actor.role === 'admin') return null;
  const { db, t } = getDb();
  const rows = await db
    .select({ serverId: t.serverShares.serverId })
    .from(t.serverShares)
    .where(and(eq(t.serverShares.userId, actor.id), eq(t.serverShares.level, 'operate')));
  return rows.map((r) => r.serverId);
}

/**
 * The route-level gate of an `operate` operation (lib/http/handler.ts): a user who operates no
 * server at all gets the same 403 as for an admin-only operation, before the body is read. The
 * feature then checks the one server concerned.
 */
export async function requireSomeOperate(actor: Actor): Promise<void> {
  if (actor.role === 'admin') return;
  const { db, t } = getDb();
  const [row] = await db
    .select({ serverId: t.serverShares.serverId })
    .from(t.serverShares)
    .where(and(eq(t.serverShares.userId, actor.id), eq(t.serverShares.level, 'operate')))
    .limit(1);
  if (!row) throw new ForbiddenError('Only an admin or an operator of this server can do this.');
}

/** The actor's level on one server: `admin`, the share's level, or null (not shared). */
export async function serverAccess(actor: Actor, serverId: string): Promise<'admin' | ShareLevel | null> {
  if (actor.role === 'admin') return 'admin';
  const { db, t } = getDb();
  const [row] = await db
    .select({ level: t.serverShares.level })
    .from(t.serverShares)
    .where(and(eq(t.serverShares.userId, actor.id), eq(t.serverShares.serverId, serverId)))
    .limit(1);
  return row?.level ?? null;
}

/** May the actor operate this server? (For showing buttons; the commands check themselves.) */
export async function mayOperate(actor: Actor, serverId: string): Promise<boolean> {
  const level = await serverAccess(actor, serverId);
  return level === 'admin' || level === 'operate';
}

/** A server not shared with a user is a 404 for them, not a 403 (CONTRACT.md, Roles). */
export async function requireServerVisible(actor: Actor, serverId: string, what = 'Server'): Promise<void> {
  if (actor.role === 'admin') return;
  if (!(await serverAccess(actor, serverId))) throw new NotFoundError(what);
}

/**
 * An operation an operator may run on this server: admins and `operate` shares pass; a `view`
 * share gets 403 (as for any admin-only operation); not shared at all is a 404.
 */
export async function requireServerOperate(actor: Actor, serverId: string, what = 'Server'): Promise<void> {
  const level = await serverAccess(actor, serverId);
  if (level === 'admin' || level === 'operate') return;
  if (!level) throw new NotFoundError(what);
  throw new ForbiddenError('Only an admin or an operator of this server can do this.');
}

/**
 * A server named in a request body (a new domain's `serverId`, a domain moved elsewhere): a user
 * must operate it. Whether it exists is not told (403 either way); admins get the caller's own
 * existence check.
 */
export async function requireOperateTarget(actor: Actor, serverId: string): Promise<void> {
  if (actor.role === 'admin') return;
  const level = await serverAccess(actor, serverId);
  if (level !== 'operate') throw new ForbiddenError('You can put domains only on servers you operate.');
}
