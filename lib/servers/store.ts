import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { getDb, type Db } from '../db';
import type { Actor } from '../access/actor';
import { requireServerVisible, visibleServerIds } from '../access/rbac';
import { toPage } from '../pagination';
import { NotFoundError } from '../errors';
import { nginxLayoutDto } from './layout';
import type { ServerRow } from './connection';
import { serverListParams, type ServerDto, type ServerListParams, type ShareDto } from './schemas';
import { hasAllTags } from './tags';

/** The API shape: secrets only as "is one stored"; users see only their own share. */
export function toServerDto(r: ServerRow, allShares: ShareDto[], actor: Actor): ServerDto {
  const shares = actor.role === 'admin' ? allShares : allShares.filter((s) => s.userId === actor.id);
  return {
    id: r.id,
    name: r.name,
    host: r.host,
    sshPort: r.sshPort,
    sshUser: r.sshUser,
    authMethod: r.authMethod,
    hasPassword: Boolean(r.passwordEnc),
    hasPrivateKey: Boolean(r.privateKeyEnc),
    hasPassphrase: Boolean(r.passphraseEnc),
    hostKeyFingerprint: r.hostKeyFingerprint,
    offeredHostKeyFingerprint: r.offeredHostKeyFingerprint,
    glances: { url: r.glancesUrl, username: r.glancesUsername, hasPassword: Boolean(r.glancesPasswordEnc), apiVersion: r.glancesApiVersion },
    monitoringEnabled: r.monitoringEnabled,
    status: r.status,
    lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
    lastError: r.lastError,
    os: r.os,
    osFamily: r.osFamily,
    nginx: { status: r.nginxStatus, version: r.nginxVersion },
    nginxLayout: nginxLayoutDto(r.nginxPaths),
    sharedWith: shares.map((s) => s.userId),
    shares,
    tags: r.tags ?? [],
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Who each server is shared with and at which level, for many servers in one query. */
export async function sharesOf(serverIds: string[]): Promise<Map<string, ShareDto[]>> {
  const out = new Map<string, ShareDto[]>(serverIds.map((id) => [id, []]));
  if (serverIds.length === 0) return out;
  const { db, t } = getDb();
  const rows = await db
    .select({ serverId: t.serverShares.serverId, userId: t.serverShares.userId, level: t.serverShares.level })
    .from(t.serverShares)
    .where(inArray(t.serverShares.serverId, serverIds))
    .orderBy(asc(t.serverShares.userId));
  for (const r of rows) out.get(r.serverId)?.push({ userId: r.userId, level: r.level });
  return out;
}

/** Servers ordered by id (creation). Users get only the ones shared with them. */
export async function listServers(actor: Actor, input: ServerListParams) {
  const params = serverListParams.parse(input);
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const rows = await db
    .select()
    .from(t.servers)
    .where(
      and(
        params.cursor ? gt(t.servers.id, params.cursor) : undefined,
        visible ? inArray(t.servers.id, visible) : undefined,
        hasAllTags(t.servers.tags, params.tag),
      ),
    )
    .orderBy(asc(t.servers.id))
    .limit(params.limit + 1);
  const shares = await sharesOf(rows.map((r) => r.id));
  return toPage(rows, params.limit, (r) => toServerDto(r, shares.get(r.id) ?? [], actor));
}

export async function findServerRow(id: string): Promise<ServerRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.servers).where(eq(t.servers.id, id)).limit(1);
  return row;
}

/** A server the actor may see (404 otherwise, for users too: not shared means not there). */
export async function getServer(actor: Actor, id: string): Promise<ServerDto> {
  await requireServerVisible(actor, id);
  const row = await findServerRow(id);
  if (!row) throw new NotFoundError('Server');
  const shares = await sharesOf([id]);
  return toServerDto(row, shares.get(id) ?? [], actor);
}

/** The domains that live on a server (they block its deletion). */
export async function domainsOnServer(serverId: string): Promise<{ id: string; fqdn: string }[]> {
  const { db, t } = getDb();
  return db.select({ id: t.domains.id, fqdn: t.domains.fqdn }).from(t.domains).where(eq(t.domains.serverId, serverId)).orderBy(asc(t.domains.fqdn));
}

/**
 * The poll path's writers of a server's live state (status, counters, latest sample), for
 * lib/monitoring's sample writer. Prepared once per batch on the batch's transaction (so
 * PostgreSQL runs them on its connection): building the same UPDATE with the query builder for
 * every server costs 4× the CPU.
 */
export function prepareLiveStateWriters(db: Db) {
  const { t } = getDb();
  const p = (name: string) => sql.placeholder(name);
  const counters = { status: p('status'), consecutiveFailures: p('failures'), consecutiveSuccesses: p('successes') };
  const polled = db
    .update(t.servers)
    .set({ ...counters, glancesApiVersion: p('version'), lastSample: p('sample'), lastSeenAt: p('at'), lastError: null } as never)
    .where(eq(t.servers.id, p('id')))
    .prepare();
  const failed = db.update(t.servers).set({ ...counters, lastError: p('error') } as never).where(eq(t.servers.id, p('id'))).prepare();
  return { polled, failed };
}

/** Every tag in use on the servers the actor may see (for the list's tag filter), sorted. */
export async function serverTagsInUse(actor: Actor): Promise<string[]> {
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return [];
  const rows = await db.select({ tags: t.servers.tags }).from(t.servers).where(visible ? inArray(t.servers.id, visible) : undefined);
  return [...new Set(rows.flatMap((r) => r.tags ?? []))].sort();
}
