import { and, asc, desc, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import { getDb } from '../db';
import type { Actor } from '../access/actor';
import { operatedServerIds, visibleServerIds } from '../access/rbac';
import { NotFoundError } from '../errors';
import { toPage } from '../pagination';
import { mountOf, type AlertRow } from './incident-message';
import type { AlertKind } from './messages';
import type { AlertDto, AlertListParams } from './schemas';
import { activeSilences, isSilenced, type SilenceRow } from './silences';

/**
 * `silenced`: a silence in force covers the incident's server or domain (isSilenced, the rule the
 * evaluator holds messages by), or its messages are still held by one that ended.
 */
export const toAlertDto = (a: AlertRow, active: readonly SilenceRow[] = []): AlertDto => ({
  id: a.id,
  kind: a.kind as AlertKind,
  severity: a.severity,
  subject: { type: a.subjectType, id: a.subjectId, name: a.subjectName },
  state: a.state,
  value: a.value,
  startedAt: a.startedAt?.toISOString() ?? null,
  resolvedAt: a.resolvedAt?.toISOString() ?? null,
  serverId: a.serverId,
  domainId: a.domainId,
  mount: mountOf(a.key),
  silenced: a.silenced || isSilenced(active, a),
});

/**
 * Incidents, newest first. Without `state`, firing and resolved ones (a pending condition is not
 * an incident yet). Users see incidents of servers shared with them only; an incident without a
 * server (an upstream no domain uses) is for admins.
 */
export async function listAlerts(actor: Actor, params: AlertListParams) {
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  if (params.serverId && visible && !visible.includes(params.serverId)) throw new NotFoundError('Server');
  const scope = visible === null ? undefined : visible.length ? inArray(t.alerts.serverId, visible) : sql`false`;
  const rows = await db
    .select()
    .from(t.alerts)
    .where(
      and(
        scope,
        params.state ? eq(t.alerts.state, params.state) : ne(t.alerts.state, 'pending'),
        params.serverId ? eq(t.alerts.serverId, params.serverId) : undefined,
        params.cursor ? lt(t.alerts.id, params.cursor) : undefined,
      ),
    )
    .orderBy(desc(t.alerts.id))
    .limit(params.limit + 1);
  const active = await activeSilences(new Date());
  return toPage(rows, params.limit, (r) => toAlertDto(r, active));
}

export async function getAlert(actor: Actor, id: string): Promise<AlertDto> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.alerts).where(eq(t.alerts.id, id)).limit(1);
  const visible = await visibleServerIds(actor);
  if (!row || (visible && (!row.serverId || !visible.includes(row.serverId)))) throw new NotFoundError('Alert');
  return toAlertDto(row, await activeSilences(new Date()));
}

/** Servers and domains an actor may pick (rule overrides, silences), by name. */
export async function subjectChoices(actor: Actor) {
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  const servers = await db
    .select({ id: t.servers.id, name: t.servers.name })
    .from(t.servers)
    .where(visible === null ? undefined : visible.length ? inArray(t.servers.id, visible) : sql`false`)
    .orderBy(asc(t.servers.name));
  const domains = await db
    .select({ id: t.domains.id, fqdn: t.domains.fqdn, serverId: t.domains.serverId })
    .from(t.domains)
    .where(visible === null ? undefined : visible.length ? inArray(t.domains.serverId, visible) : sql`false`)
    .orderBy(asc(t.domains.fqdn));
  // Which of them the actor may silence (null: all, for admins): the servers they operate.
  const operable = await operatedServerIds(actor);
  return { servers, domains, operable };
}

export interface IncidentTimelineEntry {
  at: string;
  /** condition: the condition began; fired/resolved: the incident opened/closed; message: a Telegram message. */
  kind: 'condition' | 'fired' | 'resolved' | 'message';
  text: string;
}

const MESSAGE_WORDS = { fired: 'Alert message', resolved: 'Resolved message', reminder: 'Reminder', test: 'Test message', info: 'Message' } as const;
const DELIVERY = { pending: 'waiting to be sent', sending: 'being sent', sent: 'sent to Telegram', held: 'held (silenced)', dead: 'could not be delivered' } as const;

/**
 * An incident with its timeline, oldest first: when the condition began, when it opened, each
 * Telegram message and how it went, and when it resolved. Same visibility as getAlert.
 */
export async function getIncident(actor: Actor, id: string): Promise<{ alert: AlertDto; timeline: IncidentTimelineEntry[] }> {
  const alert = await getAlert(actor, id);
  const { db, t } = getDb();
  const [row] = await db.select().from(t.alerts).where(eq(t.alerts.id, id)).limit(1);
  const messages = await db
    .select({ kind: t.notifications.kind, status: t.notifications.status, createdAt: t.notifications.createdAt, sentAt: t.notifications.sentAt })
    .from(t.notifications)
    .where(eq(t.notifications.alertId, id))
    .orderBy(asc(t.notifications.createdAt));
  const timeline: IncidentTimelineEntry[] = [];
  if (row) {
    timeline.push({ at: row.pendingSince.toISOString(), kind: 'condition', text: 'The condition began' });
    if (row.startedAt) timeline.push({ at: row.startedAt.toISOString(), kind: 'fired', text: row.startedAt.getTime() === row.pendingSince.getTime() ? 'The incident opened' : 'The incident opened (the condition held for the rule’s duration)' });
  }
  for (const m of messages) {
    timeline.push({ at: (m.sentAt ?? m.createdAt).toISOString(), kind: 'message', text: `${MESSAGE_WORDS[m.kind]} ${DELIVERY[m.status]}` });
  }
  if (row?.resolvedAt) timeline.push({ at: row.resolvedAt.toISOString(), kind: 'resolved', text: 'The incident resolved' });
  timeline.sort((x, y) => x.at.localeCompare(y.at));
  return { alert, timeline };
}
