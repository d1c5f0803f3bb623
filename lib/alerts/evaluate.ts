import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { atomically, executeSql, getDb, newId, type Db } from '../db';
import { publish } from '../events/bus';
import { getEffectiveSettings } from '../settings/service';
import { collectConditions, type Condition } from './conditions';
import { composeIncidentMessage, type AlertRow } from './incident-message';
import { enqueueNotification, telegramTarget } from './outbox';
import { releaseHeld } from './outbox-release';
import { loadRuleBook, thresholdOf, type RuleBook } from './rules';
import { activeSilences, isSilenced, type SilenceRow } from './silences';
import { clearWindowMs, decide, flapFactor, FLAP_WINDOW_MS, type Decision } from './state-machine';
import type { AlertKind } from './messages';

/**
 * One evaluation cycle (the `alerts.evaluate` job, every 15 s): read every condition, move each
 * incident through the state machine, and write the changes, their outbox rows and their events
 * in one transaction. All state is in the database, so a restart resumes exactly where it was.
 */
export interface EvaluationStats {
  conditions: number;
  pending: number;
  fired: number;
  resolved: number;
  reminders: number;
  released: number;
}

interface Channel {
  ok: boolean;
  reason: string | null;
}

let chain: Promise<unknown> = Promise.resolve();

/** Runs a cycle at `now` (tests pass their own clock). Cycles in this process never overlap. */
export function evaluateAlerts(opts: { now?: Date } = {}): Promise<EvaluationStats> {
  const run = chain.then(() => evaluateOnce(opts.now ?? new Date()));
  chain = run.catch(() => undefined);
  return run;
}

async function evaluateOnce(now: Date): Promise<EvaluationStats> {
  const settings = await getEffectiveSettings();
  const staleAfterMs = Math.max(3 * settings.monitoring.intervalSeconds, 180) * 1000;
  const book = await loadRuleBook();
  const openKeys = await openIncidentKeys();
  const conditions = await collectConditions(book, { now, staleAfterMs, openKeys });
  const silences = await activeSilences(now);
  const { target, reason } = await telegramTarget();
  const channel: Channel = { ok: target !== null, reason };
  const stats = await atomically(async (db) => {
    const { dialect } = getDb();
    // One evaluator at a time across instances (a leader hand-over mid-cycle must not double-fire).
    if (dialect === 'postgres') await executeSql(sql`select pg_advisory_xact_lock(724321)`);
    return applyCycle(db, book, conditions, openKeys, silences, channel, now);
  });
  stats.released = (await releaseHeld(now)).released;
  return stats;
}

async function applyCycle(db: Db, book: RuleBook, conditions: Condition[], openKeys: ReadonlySet<string>, silences: SilenceRow[], channel: Channel, now: Date): Promise<EvaluationStats> {
  const { t } = getDb();
  const stats: EvaluationStats = { conditions: conditions.length, pending: 0, fired: 0, resolved: 0, reminders: 0, released: 0 };
  const open = await db.select().from(t.alerts).where(inArray(t.alerts.state, ['pending', 'firing']));
  const openByKey = new Map(open.map((a) => [a.key, a]));
  const plans: Array<{ cond?: Condition; row?: AlertRow; d: Decision }> = [];
  const seen = new Set<string>();
  for (const cond of conditions) {
    if (seen.has(cond.key)) continue;
    seen.add(cond.key);
    const row = openByKey.get(cond.key);
    plans.push({ cond, row, d: decide(row, cond.status, cond.rule, now) });
  }
  // Open incidents whose subject is gone (a deleted domain, a vanished mount) clear like any other.
  // One opened since the conditions were read (by another instance) waits for the next cycle.
  for (const row of open) {
    if (seen.has(row.key) || !openKeys.has(row.key)) continue;
    const rule = book.global.get(row.kind);
    plans.push({ row, d: decide(row, 'clear', { durationSeconds: rule?.durationSeconds ?? 0, reminderMinutes: null }, now) });
  }
  await applyFlapDamping(db, plans, now);

  for (const { cond, row, d } of plans) {
    if (d.type === 'none') {
      if (row && cond && cond.value !== null && cond.value !== row.value) await db.update(t.alerts).set({ value: cond.value }).where(eq(t.alerts.id, row.id));
      continue;
    }
    if (d.type === 'pend' && cond) {
      await db.insert(t.alerts).values(newRow(cond, 'pending', now));
      stats.pending++;
    } else if (d.type === 'fire' && cond) {
      const base = row ?? newRow(cond, 'firing', now);
      const fired: AlertRow = { ...base, state: 'firing', severity: cond.rule.severity, ruleId: cond.rule.id, subjectName: cond.subject.name, value: cond.value, startedAt: base.pendingSince, lastNotifiedAt: now, clearSince: null };
      const silenced = isSilenced(silences, fired);
      fired.silenced = silenced;
      if (row) await db.update(t.alerts).set(fired).where(eq(t.alerts.id, row.id));
      else await db.insert(t.alerts).values(fired);
      await notify(fired, 'fired', cond, channel, silenced ? 'held' : 'pending', now);
      await publish({ type: 'alert.fired', serverId: fired.serverId, data: eventData(fired) });
      stats.fired++;
    } else if (d.type === 'drop' && row) {
      await db.delete(t.alerts).where(and(eq(t.alerts.id, row.id), eq(t.alerts.state, 'pending')));
    } else if ((d.type === 'clearing' || d.type === 'unclear') && row) {
      await db.update(t.alerts).set({ clearSince: d.type === 'clearing' ? now : null, ...(cond ? { value: cond.value } : {}) }).where(eq(t.alerts.id, row.id));
    } else if (d.type === 'resolve' && row) {
      const resolved: AlertRow = { ...row, state: 'resolved', resolvedAt: d.at, ...(cond ? { value: cond.value } : {}) };
      await db.update(t.alerts).set({ state: 'resolved', resolvedAt: d.at, value: resolved.value }).where(eq(t.alerts.id, row.id));
      if (!d.quiet) await notify(resolved, 'resolved', cond, channel, await resolutionStatus(db, row, silences), now);
      await publish({ type: 'alert.resolved', serverId: row.serverId, data: eventData(resolved) });
      stats.resolved++;
    } else if (d.type === 'remind' && row && cond) {
      // Reminders are for incidents someone was told about; while silenced there is nothing to remind of.
      if (isSilenced(silences, row) || !(await announced(db, row.id))) continue;
      const reminded: AlertRow = { ...row, value: cond.value, lastNotifiedAt: now };
      await db.update(t.alerts).set({ lastNotifiedAt: now, value: cond.value }).where(eq(t.alerts.id, row.id));
      await notify(reminded, 'reminder', cond, channel, 'pending', now);
      stats.reminders++;
    }
  }
  return stats;
}

async function openIncidentKeys(): Promise<Set<string>> {
  const { db, t } = getDb();
  const rows = await db.select({ key: t.alerts.key }).from(t.alerts).where(inArray(t.alerts.state, ['pending', 'firing']));
  return new Set(rows.map((r) => r.key));
}

/** Resolution candidates of keys that keep coming back wait ×2, ×4, ×8 longer (state-machine.ts). */
async function applyFlapDamping(db: Db, plans: Array<{ cond?: Condition; row?: AlertRow; d: Decision }>, now: Date): Promise<void> {
  const candidates = plans.filter((p) => p.d.type === 'resolve' && !p.d.quiet && p.row);
  if (!candidates.length) return;
  const { t } = getDb();
  const counts = await db
    .select({ key: t.alerts.key, n: sql<number>`count(*)` })
    .from(t.alerts)
    .where(and(inArray(t.alerts.key, candidates.map((p) => p.row!.key)), gte(t.alerts.startedAt, new Date(now.getTime() - FLAP_WINDOW_MS))))
    .groupBy(t.alerts.key);
  const byKey = new Map(counts.map((c) => [c.key, Number(c.n)]));
  for (const p of candidates) {
    const base = clearWindowMs(p.cond?.rule.durationSeconds ?? 0);
    const wait = base * flapFactor(byKey.get(p.row!.key) ?? 1);
    if (now.getTime() - p.row!.clearSince!.getTime() < wait) p.d = { type: 'none' };
  }
}

function newRow(cond: Condition, state: 'pending' | 'firing', now: Date): AlertRow {
  return {
    id: newId(), ruleId: cond.rule.id, kind: cond.kind, severity: cond.rule.severity, key: cond.key,
    subjectType: cond.subject.type, subjectId: cond.subject.id, subjectName: cond.subject.name, serverId: cond.serverId, domainId: cond.domainId,
    state, value: cond.value, pendingSince: now, clearSince: null, startedAt: state === 'firing' ? now : null, resolvedAt: null, lastNotifiedAt: null, silenced: false,
  };
}

const eventData = (a: AlertRow) => ({ alertId: a.id, kind: a.kind, subject: { type: a.subjectType, id: a.subjectId, name: a.subjectName } });

async function notify(a: AlertRow, state: 'fired' | 'resolved' | 'reminder', cond: Condition | undefined, channel: Channel, status: 'pending' | 'held' | 'dead', now: Date) {
  const html = composeIncidentMessage(state, a, { serverName: cond?.serverName, detail: cond?.detail }, cond ? thresholdOf(cond.rule) : null, now);
  // Without a channel the message is kept as a record, never sent later (no flood on first setup).
  const final = channel.ok ? status : 'dead';
  const lastError = !channel.ok ? `Not sent: ${channel.reason}` : status === 'dead' ? 'Not sent: its alert was never sent.' : null;
  await enqueueNotification({ alertId: a.id, kind: state, html, status: final, lastError, now });
}

/** Was this incident's opening message sent (or on its way)? */
async function announced(db: Db, alertId: string): Promise<boolean> {
  const { t } = getDb();
  const rows = await db
    .select({ id: t.notifications.id })
    .from(t.notifications)
    .where(and(eq(t.notifications.alertId, alertId), eq(t.notifications.kind, 'fired'), inArray(t.notifications.status, ['pending', 'sending', 'sent'])))
    .limit(1);
  return rows.length > 0;
}

/**
 * A resolution is held while its subject is silenced or its opening message is held; it is not
 * sent at all when the opening message never went out (no lone "resolved" in the chat).
 */
async function resolutionStatus(db: Db, row: AlertRow, silences: SilenceRow[]): Promise<'pending' | 'held' | 'dead'> {
  if (isSilenced(silences, row)) return 'held';
  if (await announced(db, row.id)) return 'pending';
  const { t } = getDb();
  const held = await db
    .select({ id: t.notifications.id })
    .from(t.notifications)
    .where(and(eq(t.notifications.alertId, row.id), eq(t.notifications.kind, 'fired'), eq(t.notifications.status, 'held')))
    .limit(1);
  return held.length ? 'held' : 'dead';
}

export type { AlertKind };
