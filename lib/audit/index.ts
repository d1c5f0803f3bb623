import { desc, lt } from 'drizzle-orm';
import { getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { listParams, toPage, type ListParams } from '../pagination';
import { publish } from '../events/bus';

export { listParams as auditListParams };

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
  target: { type: string; id: string | null };
  address: string | null;
  details: Record<string, unknown> | null;
}

/** Newest first; the cursor is the last id seen (UUIDv7 ids sort by time). */
export async function listAudit(actor: Actor, params: ListParams) {
  requireAdmin(actor);
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.auditEvents)
    .where(params.cursor ? lt(t.auditEvents.id, params.cursor) : undefined)
    .orderBy(desc(t.auditEvents.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r): AuditEntry => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: { id: r.actorId, email: r.actorEmail },
    action: r.action,
    target: { type: r.targetType, id: r.targetId },
    address: r.address,
    details: r.details,
  }));
}
