import { and, desc, eq, gt, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireServerOperate, visibleServerIds } from '../access/rbac';
import { NotFoundError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { toPage } from '../pagination';
import { silenceCreateInput, type SilenceDto, type SilenceListParams } from './schemas';

/**
 * Silences and maintenance windows: a server or a domain, a start, an end and a reason. While
 * one is active, incidents on its subject are still opened and closed (the record is kept), but
 * their Telegram messages are held in the outbox. What happens to held messages when the
 * silence ends is decided in `releaseHeld` (outbox-release.ts).
 */
export type SilenceRow = typeof import('../db/schema/sqlite').silences.$inferSelect;

export const toSilenceDto = (r: SilenceRow, now = new Date()): SilenceDto => ({
  id: r.id,
  serverId: r.serverId,
  domainId: r.domainId,
  startsAt: r.startsAt.toISOString(),
  endsAt: r.endsAt.toISOString(),
  reason: r.reason,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  active: r.startsAt <= now && now < r.endsAt,
});

/** Silences in force at `now`. */
export async function activeSilences(now: Date): Promise<SilenceRow[]> {
  const { db, t } = getDb();
  return db.select().from(t.silences).where(and(lte(t.silences.startsAt, now), gt(t.silences.endsAt, now)));
}

/** Does any of `silences` cover an incident on this server or domain? */
export function isSilenced(silences: readonly SilenceRow[], subject: { serverId: string | null; domainId: string | null }): boolean {
  return silences.some((s) => (s.serverId !== null && s.serverId === subject.serverId) || (s.domainId !== null && s.domainId === subject.domainId));
}

/** Newest first; users see silences of their shared servers and of those servers' domains. */
export async function listSilences(actor: Actor, params: SilenceListParams, now = new Date()) {
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  const scope =
    visible === null
      ? undefined
      : visible.length
        ? or(inArray(t.silences.serverId, visible), inArray(t.silences.domainId, db.select({ id: t.domains.id }).from(t.domains).where(inArray(t.domains.serverId, visible))))
        : sql`false`;
  const rows = await db
    .select()
    .from(t.silences)
    .where(and(scope, params.past === 'true' ? undefined : gt(t.silences.endsAt, now), params.cursor ? lt(t.silences.id, params.cursor) : undefined))
    .orderBy(desc(t.silences.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (r) => toSilenceDto(r, now));
}

/** The server a silence is about: its own, or its domain's (null when that domain is gone). */
async function silencedServerId(s: { serverId?: string | null; domainId?: string | null }): Promise<string | null> {
  if (s.serverId) return s.serverId;
  if (!s.domainId) return null;
  const { db, t } = getDb();
  const [row] = await db.select({ serverId: t.domains.serverId }).from(t.domains).where(eq(t.domains.id, s.domainId)).limit(1);
  return row?.serverId ?? null;
}

/** Admins silence anything; an operator the servers they operate and those servers' domains. */
async function requireSilenceOperate(actor: Actor, s: { serverId?: string | null; domainId?: string | null }, what: string): Promise<void> {
  if (actor.role === 'admin') return;
  const serverId = await silencedServerId(s);
  if (!serverId) throw new NotFoundError(what);
  await requireServerOperate(actor, serverId, what);
}

export async function createSilence(actor: Actor, input: unknown, now = new Date()): Promise<SilenceDto> {
  const data = parseInput(silenceCreateInput, input);
  const endsAt = new Date(data.endsAt);
  if (endsAt <= now) throw ValidationError.field('endsAt', 'The end must be in the future.');
  // First, so a user learns nothing of servers and domains not shared with them (404).
  await requireSilenceOperate(actor, data, data.serverId ? 'Server' : 'Domain');
  return atomically(async (db) => {
    const { t } = getDb();
    if (data.serverId) {
      const [row] = await db.select({ id: t.servers.id }).from(t.servers).where(eq(t.servers.id, data.serverId)).limit(1);
      if (!row) throw ValidationError.field('serverId', 'No such server.');
    }
    if (data.domainId) {
      const [row] = await db.select({ id: t.domains.id }).from(t.domains).where(eq(t.domains.id, data.domainId)).limit(1);
      if (!row) throw ValidationError.field('domainId', 'No such domain.');
    }
    const row: SilenceRow = {
      id: newId(),
      serverId: data.serverId ?? null,
      domainId: data.domainId ?? null,
      startsAt: data.startsAt ? new Date(data.startsAt) : now,
      endsAt,
      reason: data.reason,
      createdBy: actor.id,
      createdAt: now,
    };
    await db.insert(t.silences).values(row);
    await recordAudit(actor, 'silence.create', { type: 'silence', id: row.id }, {
      serverId: row.serverId, domainId: row.domainId, startsAt: row.startsAt.toISOString(), endsAt: row.endsAt.toISOString(), reason: row.reason,
    });
    return toSilenceDto(row, now);
  });
}

/** Ends a silence by deleting it; messages it held are reconsidered on the next evaluation. */
export async function deleteSilence(actor: Actor, id: string): Promise<void> {
  await atomically(async (db) => {
    const { t } = getDb();
    const [row] = await db.select().from(t.silences).where(eq(t.silences.id, id)).limit(1);
    if (!row) throw new NotFoundError('Silence');
    await requireSilenceOperate(actor, row, 'Silence');
    await db.delete(t.silences).where(eq(t.silences.id, id));
    await recordAudit(actor, 'silence.delete', { type: 'silence', id }, { serverId: row.serverId, domainId: row.domainId, reason: row.reason });
  });
}
