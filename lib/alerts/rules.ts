import { and, asc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { atomically, executeSql, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin, visibleServerIds } from '../access/rbac';
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { toPage, type ListParams } from '../pagination';
import { ALERT_KINDS, type AlertKind, type AlertSeverity } from './messages';
import { alertRuleCreateInput, alertRulePatchInput, thresholdErrors, THRESHOLDS, type AlertRuleDto } from './schemas';

export type AlertRuleRow = typeof import('../db/schema/sqlite').alertRules.$inferSelect;

export interface DefaultRule {
  kind: AlertKind;
  threshold: number | null;
  durationSeconds: number;
  severity: AlertSeverity;
  reminderMinutes: number | null;
}

/**
 * The rules a fresh install starts with (one global rule per kind). Load is the absolute 1-minute
 * load average: Glances' sample carries no core count, so 4 suits the small 2–4 core machines a
 * proxy usually runs on; bigger servers get a per-server override. Server down has no duration of
 * its own: monitoring already waits for N failed polls (Settings), which is the hysteresis. A changed
 * host key has none either: it is one refused handshake, and it stays until an admin decides.
 */
export const DEFAULT_RULES: readonly DefaultRule[] = [
  { kind: 'cpu', threshold: 85, durationSeconds: 300, severity: 'warning', reminderMinutes: null },
  { kind: 'memory', threshold: 90, durationSeconds: 300, severity: 'warning', reminderMinutes: null },
  { kind: 'disk', threshold: 85, durationSeconds: 300, severity: 'warning', reminderMinutes: 1440 },
  { kind: 'load', threshold: 4, durationSeconds: 300, severity: 'warning', reminderMinutes: null },
  { kind: 'server_down', threshold: null, durationSeconds: 0, severity: 'critical', reminderMinutes: 120 },
  { kind: 'ns_mismatch', threshold: null, durationSeconds: 0, severity: 'warning', reminderMinutes: null },
  { kind: 'cert_expiry', threshold: 14, durationSeconds: 0, severity: 'warning', reminderMinutes: 1440 },
  { kind: 'upstream_down', threshold: 1, durationSeconds: 60, severity: 'critical', reminderMinutes: null },
  { kind: 'deploy_failed', threshold: null, durationSeconds: 0, severity: 'critical', reminderMinutes: null },
  { kind: 'config_drift', threshold: null, durationSeconds: 0, severity: 'warning', reminderMinutes: null },
  { kind: 'host_key_changed', threshold: null, durationSeconds: 0, severity: 'critical', reminderMinutes: null },
];

export const toAlertRuleDto = (r: AlertRuleRow): AlertRuleDto => ({
  id: r.id,
  kind: r.kind as AlertKind,
  threshold: r.threshold,
  durationSeconds: r.durationSeconds,
  severity: r.severity,
  enabled: r.enabled,
  serverId: r.serverId,
  reminderMinutes: r.reminderMinutes,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/**
 * Inserts the default global rule of every kind that has none (start-up hook). Idempotent; on
 * PostgreSQL an advisory lock keeps two instances starting together from both inserting.
 */
export async function seedDefaultRules(): Promise<number> {
  return atomically(async (db) => {
    const { t, dialect } = getDb();
    if (dialect === 'postgres') await executeSql(sql`select pg_advisory_xact_lock(724320)`);
    const have = new Set((await db.select({ kind: t.alertRules.kind }).from(t.alertRules).where(isNull(t.alertRules.serverId))).map((r) => r.kind));
    const now = new Date();
    const missing = DEFAULT_RULES.filter((d) => !have.has(d.kind));
    if (missing.length) {
      await db.insert(t.alertRules).values(missing.map((d) => ({ id: newId(), ...d, enabled: true, serverId: null, createdAt: now, updatedAt: now })));
    }
    return missing.length;
  });
}

/** Every rule, for the evaluator: global ones by kind, overrides by kind and server. */
export interface RuleBook {
  global: Map<string, AlertRuleRow>;
  overrides: Map<string, AlertRuleRow>;
}

export async function loadRuleBook(): Promise<RuleBook> {
  const { db, t } = getDb();
  const rows = await db.select().from(t.alertRules).orderBy(asc(t.alertRules.id));
  const book: RuleBook = { global: new Map(), overrides: new Map() };
  for (const r of rows) {
    if (r.serverId) book.overrides.set(`${r.kind}:${r.serverId}`, r);
    else if (!book.global.has(r.kind)) book.global.set(r.kind, r);
  }
  return book;
}

/** The rule that applies: the server's override when it has one (even a disabled one), else the global rule. */
export function effectiveRule(book: RuleBook, kind: AlertKind, serverId: string | null): AlertRuleRow | undefined {
  return (serverId ? book.overrides.get(`${kind}:${serverId}`) : undefined) ?? book.global.get(kind);
}

/** The threshold used for evaluation (kinds with an optional threshold fall back to its default). */
export function thresholdOf(rule: AlertRuleRow): number | null {
  return rule.threshold ?? THRESHOLDS[rule.kind as AlertKind]?.default ?? null;
}

async function findRule(id: string): Promise<AlertRuleRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.alertRules).where(eq(t.alertRules.id, id)).limit(1);
  return row;
}

/** Users see the global rules and the overrides of servers shared with them. */
export async function listAlertRules(actor: Actor, params: ListParams) {
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  const scope = visible === null ? undefined : or(isNull(t.alertRules.serverId), visible.length ? inArray(t.alertRules.serverId, visible) : sql`false`);
  const rows = await db
    .select()
    .from(t.alertRules)
    .where(and(scope, params.cursor ? gt(t.alertRules.id, params.cursor) : undefined))
    .orderBy(asc(t.alertRules.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, toAlertRuleDto);
}

export async function getAlertRule(actor: Actor, id: string): Promise<AlertRuleDto> {
  const row = await findRule(id);
  if (!row) throw new NotFoundError('Alert rule');
  if (row.serverId) {
    const visible = await visibleServerIds(actor);
    if (visible && !visible.includes(row.serverId)) throw new NotFoundError('Alert rule');
  }
  return toAlertRuleDto(row);
}

export async function createAlertRule(actor: Actor, input: unknown): Promise<AlertRuleDto> {
  requireAdmin(actor);
  const data = parseInput(alertRuleCreateInput, input);
  const bad = thresholdErrors(data.kind, data.threshold);
  if (bad) throw ValidationError.field('threshold', bad);
  return atomically(async (db) => {
    const { t } = getDb();
    if (data.serverId) {
      const [server] = await db.select({ id: t.servers.id }).from(t.servers).where(eq(t.servers.id, data.serverId)).limit(1);
      if (!server) throw ValidationError.field('serverId', 'No such server.');
    }
    const [existing] = await db
      .select({ id: t.alertRules.id })
      .from(t.alertRules)
      .where(and(eq(t.alertRules.kind, data.kind), data.serverId ? eq(t.alertRules.serverId, data.serverId) : isNull(t.alertRules.serverId)))
      .limit(1);
    if (existing) {
      throw new ConflictError(
        'alert_rule_exists',
        data.serverId ? 'This server already has its own rule of this kind: edit that one.' : 'A global rule of this kind exists: edit that one.',
        { ruleId: existing.id },
      );
    }
    const now = new Date();
    const row: AlertRuleRow = { id: newId(), ...data, threshold: data.threshold ?? null, createdAt: now, updatedAt: now };
    await db.insert(t.alertRules).values(row);
    await recordAudit(actor, 'alert_rule.create', { type: 'alert_rule', id: row.id }, auditDetails(row));
    return toAlertRuleDto(row);
  });
}

export async function updateAlertRule(actor: Actor, id: string, input: unknown): Promise<AlertRuleDto> {
  requireAdmin(actor);
  const patch = parseInput(alertRulePatchInput, input);
  return atomically(async (db) => {
    const { t } = getDb();
    const current = await findRule(id);
    if (!current) throw new NotFoundError('Alert rule');
    if (patch.threshold !== undefined) {
      const bad = thresholdErrors(current.kind as AlertKind, patch.threshold);
      if (bad) throw ValidationError.field('threshold', bad);
    }
    const changes = { ...patch, updatedAt: new Date() };
    await db.update(t.alertRules).set(changes).where(eq(t.alertRules.id, id));
    await recordAudit(actor, 'alert_rule.update', { type: 'alert_rule', id }, { kind: current.kind, serverId: current.serverId, ...patch });
    return toAlertRuleDto({ ...current, ...changes });
  });
}

/**
 * Deletes a per-server override (the global rule applies to that server again). Global rules
 * are not deleted, only disabled: start-up would recreate a missing one with default values.
 */
export async function deleteAlertRule(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findRule(id);
    if (!current) throw new NotFoundError('Alert rule');
    if (!current.serverId) throw new ConflictError('alert_rule_global', 'A global rule cannot be deleted; disable it instead.');
    await db.delete(t.alertRules).where(eq(t.alertRules.id, id));
    await recordAudit(actor, 'alert_rule.delete', { type: 'alert_rule', id }, { kind: current.kind, serverId: current.serverId });
  });
}

function auditDetails(r: AlertRuleRow) {
  const { kind, serverId, threshold, durationSeconds, severity, enabled, reminderMinutes } = r;
  return { kind, serverId, threshold, durationSeconds, severity, enabled, reminderMinutes };
}

export { ALERT_KINDS };
