/**
 * Upstream pools: CRUD with their targets. Writes are admin-only; a user sees the pools that
 * domains on servers shared with them proxy to. Every target is stored in order and rendered.
 */
import { and, asc, count, eq, gt, inArray } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin, visibleServerIds } from '../access/rbac';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { ConflictError, NotFoundError, ValidationError, parseInput, zodFields } from '../errors';
import { toPage, type ListParams } from '../pagination';
import { upstreamInput, upstreamPatch, type UpstreamInput } from './schemas';
import { markDomainsPending } from './status';
import { domainsReferencing } from './store';
import type { UpstreamDto } from './dto';
import type { Upstream } from './types';

type UpstreamRow = typeof import('../db/schema/sqlite').upstreams.$inferSelect;
type TargetRow = typeof import('../db/schema/sqlite').upstreamTargets.$inferSelect;

function toDto(u: UpstreamRow, targets: TargetRow[], domainCount: number): UpstreamDto {
  return {
    id: u.id,
    name: u.name,
    method: u.method,
    keepalive: u.keepalive ?? null,
    healthCheck: u.healthCheck ?? null,
    targets: targets.map((t) => ({
      id: t.id,
      host: t.host,
      port: t.port,
      weight: t.weight,
      backup: t.backup,
      maxFails: t.maxFails,
      failTimeoutSeconds: t.failTimeoutSeconds,
      health: { status: t.healthStatus, checkedAt: t.healthCheckedAt?.toISOString() ?? null, error: t.healthError },
    })),
    domainCount,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** Targets of the given upstreams, in their stored order. */
export async function targetsOf(ids: string[]): Promise<Map<string, TargetRow[]>> {
  const out = new Map<string, TargetRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const { db, t } = getDb();
  const rows = await db.select().from(t.upstreamTargets).where(inArray(t.upstreamTargets.upstreamId, ids)).orderBy(asc(t.upstreamTargets.upstreamId), asc(t.upstreamTargets.position));
  for (const r of rows) out.get(r.upstreamId)!.push(r);
  return out;
}

async function domainCounts(ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const refs = await domainsReferencing('upstream', ids);
  return new Map([...refs].map(([id, list]) => [id, list.length]));
}

async function dtos(rows: UpstreamRow[]): Promise<UpstreamDto[]> {
  const ids = rows.map((r) => r.id);
  const [targets, counts] = await Promise.all([targetsOf(ids), domainCounts(ids)]);
  return rows.map((r) => toDto(r, targets.get(r.id) ?? [], counts.get(r.id) ?? 0));
}

/** Rendering's view of upstream rows (lib/proxy/types.ts). */
export async function loadUpstreams(ids: string[]): Promise<Upstream[]> {
  if (ids.length === 0) return [];
  const { db, t } = getDb();
  const rows = await db.select().from(t.upstreams).where(inArray(t.upstreams.id, ids));
  const targets = await targetsOf(ids);
  return rows.map((u) => ({
    id: u.id,
    name: u.name,
    method: u.method,
    keepalive: u.keepalive,
    healthCheck: u.healthCheck,
    targets: (targets.get(u.id) ?? []).map((x) => ({ host: x.host, port: x.port, weight: x.weight, backup: x.backup, maxFails: x.maxFails, failTimeoutSeconds: x.failTimeoutSeconds })),
  }));
}

/** Upstream ids a user may read: those used by domains on servers shared with them (null = all). */
async function visibleUpstreamIds(actor: Actor): Promise<string[] | null> {
  const servers = await visibleServerIds(actor);
  if (servers === null) return null;
  if (servers.length === 0) return [];
  const { db, t } = getDb();
  const rows = await db.select({ upstreamId: t.domains.upstreamId, locations: t.domains.locations }).from(t.domains).where(inArray(t.domains.serverId, servers));
  const ids = new Set(rows.flatMap((r) => [r.upstreamId, ...(r.locations ?? []).map((l) => (l.redirect ? null : l.upstreamId))]));
  return [...ids].filter((x): x is string => Boolean(x));
}

export async function listUpstreams(actor: Actor, params: ListParams) {
  const visible = await visibleUpstreamIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.upstreams)
    .where(and(params.cursor ? gt(t.upstreams.id, params.cursor) : undefined, visible ? inArray(t.upstreams.id, visible) : undefined))
    .orderBy(asc(t.upstreams.id))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (r) => r);
  return { items: await dtos(page.items), nextCursor: page.nextCursor };
}

async function findUpstream(id: string): Promise<UpstreamRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.upstreams).where(eq(t.upstreams.id, id)).limit(1);
  return row;
}

export async function getUpstream(actor: Actor, id: string): Promise<UpstreamDto> {
  const row = await findUpstream(id);
  const visible = await visibleUpstreamIds(actor);
  if (!row || (visible && !visible.includes(id))) throw new NotFoundError('Upstream');
  return (await dtos([row]))[0];
}

async function assertNameFree(name: string, exceptId?: string) {
  const { db, t } = getDb();
  const [other] = await db.select({ id: t.upstreams.id }).from(t.upstreams).where(eq(t.upstreams.name, name)).limit(1);
  if (other && other.id !== exceptId) throw new ConflictError('upstream_exists', `An upstream named "${name}" already exists.`, undefined, 'name');
}

async function writeTargets(upstreamId: string, targets: UpstreamInput['targets']) {
  const { db, t } = getDb();
  await db.delete(t.upstreamTargets).where(eq(t.upstreamTargets.upstreamId, upstreamId));
  await db.insert(t.upstreamTargets).values(targets.map((x, position) => ({ id: newId(), upstreamId, position, ...x })));
}

export async function createUpstream(actor: Actor, input: unknown): Promise<UpstreamDto> {
  requireAdmin(actor);
  const data = parseInput(upstreamInput, input);
  const id = await atomically(async (db) => {
    const { t } = getDb();
    await assertNameFree(data.name);
    const now = new Date();
    const row = { id: newId(), name: data.name, method: data.method, keepalive: data.keepalive ?? null, healthCheck: data.healthCheck ?? null, createdAt: now, updatedAt: now };
    await db.insert(t.upstreams).values(row);
    await writeTargets(row.id, data.targets);
    await recordAudit(actor, 'upstream.create', { type: 'upstream', id: row.id }, { name: row.name, targets: data.targets.length });
    await publish({ type: 'upstream.updated', data: { upstreamId: row.id } });
    return row.id;
  });
  return getUpstream(actor, id);
}

export async function updateUpstream(actor: Actor, id: string, input: unknown): Promise<UpstreamDto> {
  requireAdmin(actor);
  const patch = parseInput(upstreamPatch, input);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findUpstream(id);
    if (!current) throw new NotFoundError('Upstream');
    const currentTargets = (await targetsOf([id])).get(id)!.map(({ host, port, weight, backup, maxFails, failTimeoutSeconds }) => ({ host, port, weight, backup, maxFails, failTimeoutSeconds }));
    // The merged record must still satisfy every rule (e.g. ip_hash with a stored backup target).
    const merged = {
      name: patch.name ?? current.name,
      method: patch.method ?? current.method,
      keepalive: patch.keepalive !== undefined ? patch.keepalive : current.keepalive,
      healthCheck: patch.healthCheck !== undefined ? patch.healthCheck : current.healthCheck,
      targets: patch.targets ?? currentTargets,
    };
    const checked = upstreamInput.safeParse(merged);
    if (!checked.success) throw new ValidationError(zodFields(checked.error));
    if (patch.name && patch.name !== current.name) await assertNameFree(patch.name, id);
    const next = checked.data;
    await db
      .update(t.upstreams)
      .set({ name: next.name, method: next.method, keepalive: next.keepalive ?? null, healthCheck: next.healthCheck ?? null, updatedAt: new Date() })
      .where(eq(t.upstreams.id, id));
    if (patch.targets) await writeTargets(id, next.targets);
    // The health check is not part of any Nginx file; everything else changes upstreams.conf.
    const rendered = patch.name !== undefined || patch.method !== undefined || patch.keepalive !== undefined || patch.targets !== undefined;
    if (rendered) await markDomainsPending({ upstreamId: id });
    await recordAudit(actor, 'upstream.update', { type: 'upstream', id }, { fields: Object.keys(patch) });
    await publish({ type: 'upstream.updated', data: { upstreamId: id } });
  });
  return getUpstream(actor, id);
}

export async function deleteUpstream(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findUpstream(id);
    if (!current) throw new NotFoundError('Upstream');
    const users = ((await domainsReferencing('upstream', [id])).get(id) ?? []).slice(0, 20);
    if (users.length > 0) {
      const names = users.map((d) => d.fqdn);
      throw new ConflictError('upstream_in_use', `Upstream "${current.name}" is used by ${names.join(', ')}. Point those domains elsewhere first.`, { domains: names });
    }
    const streams = await db.select({ port: t.streams.listenPort, protocol: t.streams.protocol }).from(t.streams).where(eq(t.streams.upstreamId, id)).limit(20);
    if (streams.length > 0) {
      const names = streams.map((x) => `${x.protocol}/${x.port}`);
      throw new ConflictError('upstream_in_use', `Upstream "${current.name}" is used by the stream(s) ${names.join(', ')}. Point those streams elsewhere first.`, { streams: names });
    }
    await db.delete(t.upstreams).where(eq(t.upstreams.id, id));
    await recordAudit(actor, 'upstream.delete', { type: 'upstream', id }, { name: current.name });
    await publish({ type: 'upstream.updated', data: { upstreamId: id, deleted: true } });
  });
}
