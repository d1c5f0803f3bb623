/**
 * Access lists: reusable access control attached to domains or to their locations. Basic-auth
 * users (Gatehouse keeps only a SHA-512 crypt hash of each password, the format Nginx's
 * auth_basic reads through crypt(3); the password itself is never stored or shown), allow/deny
 * rules by address or CIDR range, and `satisfy all|any` between the two. Admins write; a user
 * reads the lists that domains on servers shared with them use. A change makes those domains
 * `pending`; the htpasswd file goes out with their next deploy.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin, visibleServerIds } from '../access/rbac';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors';
import { toPage, type ListParams } from '../pagination';
import { hashHtpasswd } from '../crypto/sha512-crypt';
import { accessListInput, accessListPatch } from './schemas';
import { markDomainsPending } from './status';
import { domainsReferencing } from './store';
import type { AccessListRow } from './load';
import type { AccessListDto } from './dto';

function toDto(r: AccessListRow, domainCount: number): AccessListDto {
  return {
    id: r.id,
    name: r.name,
    satisfy: r.satisfy,
    users: (r.users ?? []).map((u) => ({ username: u.username, hasPassword: Boolean(u.hash) })),
    rules: r.rules ?? [],
    domainCount,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

async function dtos(rows: AccessListRow[]): Promise<AccessListDto[]> {
  const refs = await domainsReferencing('accessList', rows.map((r) => r.id));
  return rows.map((r) => toDto(r, refs.get(r.id)?.length ?? 0));
}

/** Ids a user may read: lists used by domains on servers shared with them (null = all). */
async function visibleAccessListIds(actor: Actor): Promise<string[] | null> {
  const servers = await visibleServerIds(actor);
  if (servers === null) return null;
  if (servers.length === 0) return [];
  const { db, t } = getDb();
  const rows = await db.select({ accessListId: t.domains.accessListId, locations: t.domains.locations }).from(t.domains).where(inArray(t.domains.serverId, servers));
  const ids = new Set(rows.flatMap((r) => [r.accessListId, ...(r.locations ?? []).map((l) => l.accessListId)]));
  return [...ids].filter((x): x is string => Boolean(x));
}

async function findRow(id: string): Promise<AccessListRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.accessLists).where(eq(t.accessLists.id, id)).limit(1);
  return row;
}

export async function listAccessLists(actor: Actor, params: ListParams) {
  const visible = await visibleAccessListIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.accessLists)
    .where(and(params.cursor ? gt(t.accessLists.id, params.cursor) : undefined, visible ? inArray(t.accessLists.id, visible) : undefined))
    .orderBy(asc(t.accessLists.id))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (r) => r);
  return { items: await dtos(page.items), nextCursor: page.nextCursor };
}

export async function getAccessList(actor: Actor, id: string): Promise<AccessListDto> {
  const visible = await visibleAccessListIds(actor);
  const row = await findRow(id);
  if (!row || (visible && !visible.includes(id))) throw new NotFoundError('Access list');
  return (await dtos([row]))[0];
}

/**
 * The stored users for an input list: a new password is hashed; a user given without one keeps
 * the hash it had (PATCH), and a new user without one is a field error.
 */
function usersWithHashes(input: { username: string; password?: string }[], current: { username: string; hash: string }[]): { username: string; hash: string }[] {
  const had = new Map(current.map((u) => [u.username, u.hash]));
  const missing: Record<string, string[]> = {};
  const out = input.map((u, i) => {
    const hash = u.password !== undefined ? hashHtpasswd(u.password) : had.get(u.username);
    if (!hash) missing[`users.${i}.password`] = ['Enter a password for this new user.'];
    return { username: u.username, hash: hash ?? '' };
  });
  if (Object.keys(missing).length) throw new ValidationError(missing);
  return out;
}

async function assertNameFree(name: string, selfId?: string): Promise<void> {
  const { db, t } = getDb();
  const [taken] = await db.select({ id: t.accessLists.id }).from(t.accessLists).where(eq(t.accessLists.name, name)).limit(1);
  if (taken && taken.id !== selfId) throw new ConflictError('access_list_exists', `An access list named "${name}" exists already.`);
}

export async function createAccessList(actor: Actor, input: unknown): Promise<AccessListDto> {
  requireAdmin(actor);
  const data = parseInput(accessListInput, input);
  const users = usersWithHashes(data.users, []);
  const row = await atomically(async (db) => {
    const { t } = getDb();
    await assertNameFree(data.name);
    const now = new Date();
    const r: AccessListRow = { id: newId(), name: data.name, satisfy: data.satisfy, users, rules: data.rules, createdAt: now, updatedAt: now };
    await db.insert(t.accessLists).values(r);
    await recordAudit(actor, 'access_list.create', { type: 'access_list', id: r.id }, { name: r.name, users: users.map((u) => u.username), rules: r.rules.length });
    await publish({ type: 'access_list.updated', data: { accessListId: r.id } });
    return r;
  });
  return toDto(row, 0);
}

export async function updateAccessList(actor: Actor, id: string, input: unknown): Promise<AccessListDto> {
  requireAdmin(actor);
  const patch = parseInput(accessListPatch, input);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findRow(id);
    if (!current) throw new NotFoundError('Access list');
    if (patch.name !== undefined) await assertNameFree(patch.name, id);
    const users = patch.users !== undefined ? usersWithHashes(patch.users, current.users ?? []) : current.users;
    const values = { name: patch.name ?? current.name, satisfy: patch.satisfy ?? current.satisfy, users, rules: patch.rules ?? current.rules, updatedAt: new Date() };
    await db.update(t.accessLists).set(values).where(eq(t.accessLists.id, id));
    // Only the name is not part of any file.
    if (Object.keys(patch).some((k) => k !== 'name')) await markDomainsPending({ accessListId: id });
    await recordAudit(actor, 'access_list.update', { type: 'access_list', id }, {
      name: values.name,
      fields: Object.keys(patch),
      ...(patch.users ? { passwordsChanged: patch.users.filter((u) => u.password !== undefined).map((u) => u.username) } : {}),
    });
    await publish({ type: 'access_list.updated', data: { accessListId: id } });
  });
  return getAccessList(actor, id);
}

/** 409 `access_list_in_use` (naming the domains) while a domain or a location uses it. */
export async function deleteAccessList(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findRow(id);
    if (!current) throw new NotFoundError('Access list');
    const users = ((await domainsReferencing('accessList', [id])).get(id) ?? []).slice(0, 20);
    if (users.length) {
      const names = users.map((d) => d.fqdn);
      throw new ConflictError('access_list_in_use', `Access list "${current.name}" is used by ${names.join(', ')}. Detach it from those domains first.`, { domains: names });
    }
    await db.delete(t.accessLists).where(eq(t.accessLists.id, id));
    await recordAudit(actor, 'access_list.delete', { type: 'access_list', id }, { name: current.name });
    await publish({ type: 'access_list.updated', data: { accessListId: id, deleted: true } });
  });
}
