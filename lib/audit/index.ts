import { and, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { listParams, toPage } from '../pagination';
import { publish } from '../events/bus';

/** `?action=` (exact, e.g. `server.create`), `?type=` (target type), `?user=` (actor id). */
export const auditListParams = listParams.extend({
  action: z.string().trim().max(100).optional().transform((v) => v || undefined),
  type: z.string().trim().max(100).optional().transform((v) => v || undefined),
  user: z.string().trim().max(100).optional().transform((v) => v || undefined),
});
export type AuditListParams = z.output<typeof auditListParams>;

/**
 * Records who changed what, when and from where. Call inside the change's transaction, so a
 * change is never without its record; the event is published after commit.
 */
export async function recordAudit(
  actor: Actor,
  action: string,
  target: { type: string; id?: string | null },
  details?: Record<string, unknown>,
): Promise<void> {
  const { db, t } = getDb();
  const row = {
    id: newId(),
    at: new Date(),
    actorId: actor.id,
    actorEmail: actor.email,
    action,
    targetType: target.type,
    targetId: target.id ?? null,
    address: actor.address ?? null,
    details: details ?? null,
  };
  await db.insert(t.auditEvents).values(row);
  await publish({ type: 'audit', data: { id: row.id, action, targetType: target.type, targetId: row.targetId } });
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string | null; email: string | null };
  action: string;
  /** `label`: what the target is called now (a server's name, a domain's FQDN, a user's e-mail), else what the record noted, else null (deleted and unnamed). */
  target: { type: string; id: string | null; label: string | null };
  address: string | null;
  details: Record<string, unknown> | null;
}

type LabelTable = 'servers' | 'domains' | 'upstreams' | 'templates' | 'certificates' | 'users' | 'apiTokens';
const LABEL_SOURCES: Record<string, LabelTable> = {
  server: 'servers', domain: 'domains', upstream: 'upstreams', template: 'templates', certificate: 'certificates', user: 'users', token: 'apiTokens',
};

/** Current names of the targets, one query per table (read-only: audit writes none of these). */
async function currentLabels(rows: { targetType: string; targetId: string | null }[]): Promise<Map<string, string>> {
  const { db, t } = getDb();
  const byTable = new Map<LabelTable, Set<string>>();
  for (const r of rows) {
    const table = LABEL_SOURCES[r.targetType];
    if (!table || !r.targetId) continue;
    if (!byTable.has(table)) byTable.set(table, new Set());
    byTable.get(table)!.add(r.targetId);
  }
  const labels = new Map<string, string>();
  for (const [table, set] of byTable) {
    const ids = [...set];
    let found: { id: string; label: string }[] = [];
    if (table === 'servers') found = await db.select({ id: t.servers.id, label: t.servers.name }).from(t.servers).where(inArray(t.servers.id, ids));
    else if (table === 'domains') found = await db.select({ id: t.domains.id, label: t.domains.fqdn }).from(t.domains).where(inArray(t.domains.id, ids));
    else if (table === 'upstreams') found = await db.select({ id: t.upstreams.id, label: t.upstreams.name }).from(t.upstreams).where(inArray(t.upstreams.id, ids));
    else if (table === 'templates') found = await db.select({ id: t.templates.id, label: t.templates.name }).from(t.templates).where(inArray(t.templates.id, ids));
    else if (table === 'users') found = await db.select({ id: t.users.id, label: t.users.email }).from(t.users).where(inArray(t.users.id, ids));
    else if (table === 'apiTokens') found = await db.select({ id: t.apiTokens.id, label: t.apiTokens.name }).from(t.apiTokens).where(inArray(t.apiTokens.id, ids));
    else {
      const certs = await db.select({ id: t.certificates.id, names: t.certificates.names }).from(t.certificates).where(inArray(t.certificates.id, ids));
      found = certs.map((c) => ({ id: c.id, label: c.names[0] ?? c.id }));
    }
    for (const f of found) labels.set(`${table}:${f.id}`, f.label);
  }
  return labels;
}

/** What the record itself noted about the target (kept when the target is deleted). */
function notedLabel(details: Record<string, unknown> | null): string | null {
  if (!details) return null;
  for (const key of ['name', 'fqdn', 'email', 'label']) {
    const v = details[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  const names = details.names;
  if (Array.isArray(names) && typeof names[0] === 'string') return names[0];
  return null;
}

/** The choices of the console's filter: actions, target types and actors that occur. */
export async function auditFilterChoices(actor: Actor): Promise<{ actions: string[]; types: string[]; users: { id: string; email: string }[] }> {
  requireAdmin(actor);
  const { db, t } = getDb();
  const a = t.auditEvents;
  const [actions, types, users] = await Promise.all([
    db.selectDistinct({ v: a.action }).from(a),
    db.selectDistinct({ v: a.targetType }).from(a),
    db.selectDistinct({ id: a.actorId, email: a.actorEmail }).from(a),
  ]);
  const seen = new Map<string, string>();
  for (const u of users) if (u.id && !seen.has(u.id)) seen.set(u.id, u.email ?? u.id);
  return {
    actions: actions.map((r) => r.v).sort(),
    types: types.map((r) => r.v).sort(),
    users: [...seen].map(([id, email]) => ({ id, email })).sort((x, y) => x.email.localeCompare(y.email)),
  };
}

/** Newest first; the cursor is the last id seen (UUIDv7 ids sort by time). */
export async function listAudit(actor: Actor, params: { limit: number; cursor?: string } & Partial<Pick<AuditListParams, 'action' | 'type' | 'user'>>) {
  requireAdmin(actor);
  const { db, t } = getDb();
  const a = t.auditEvents;
  const where: SQL[] = [];
  if (params.cursor) where.push(lt(a.id, params.cursor));
  if (params.action) where.push(eq(a.action, params.action));
  if (params.type) where.push(eq(a.targetType, params.type));
  if (params.user) where.push(eq(a.actorId, params.user));
  const rows = await db
    .select()
    .from(a)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(a.id))
    .limit(params.limit + 1);
  const labels = await currentLabels(rows.slice(0, params.limit));
  return toPage(rows, params.limit, (r): AuditEntry => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: { id: r.actorId, email: r.actorEmail },
    action: r.action,
    target: {
      type: r.targetType,
      id: r.targetId,
      label: (r.targetId && LABEL_SOURCES[r.targetType] ? labels.get(`${LABEL_SOURCES[r.targetType]}:${r.targetId}`) : undefined) ?? notedLabel(r.details),
    },
    address: r.address,
    details: r.details,
  }));
}
