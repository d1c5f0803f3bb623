import { and, asc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { atomically, executeSql, getDb, newId } from '../db';
import { retryWhileUnavailable } from '../db/unavailable';
import { getEffectiveSettings } from '../settings/service';
import { assertSafe } from './sanitize';
import { planRetry, rateLimitsFor, takeSendSlot, type ChatRateState } from './outbox-policy';
import { sendTelegramMessage, type TelegramSendResult, type TelegramTarget } from './telegram';
import { metrics } from '../metrics';

/**
 * The durable Telegram outbox (table notifications). A message is a row from the moment an
 * incident changes until Telegram accepted it.
 *
 * Delivery, per row, in this order:
 *   1. claim    (own transaction)  status stays 'pending', claimedAt = the claim time (a lease)
 *   2. mark     (own statement)    status 'sending', attempts + 1 — committed BEFORE the HTTP call
 *   3. send     sendTelegramMessage (never throws)
 *   4. commit   'sent' with Telegram's message id, or back to 'pending' with the next attempt
 *               time (backoff, or exactly Telegram's retry_after), or 'dead' when permanent.
 * A crash between 1 and 2 leaves a claimed 'pending' row that nobody sent: its lease expires
 * (at start-up at once on SQLite, where no other instance can hold it) and it goes out once.
 * A crash between 2 and 4 leaves a 'sending' row: the request may or may not have reached
 * Telegram, and the Bot API has no idempotency key to ask. Such a row is sent again: that is the
 * one at-least-once window, as long as one HTTP round trip plus one local write, and a
 * duplicate needs Telegram to have accepted the message in exactly that gap. Losing an alert
 * would be worse than showing one twice. A database that is merely restarting at step 4 does not
 * open that window: the process still knows the answer and retries the write (within the lease).
 *
 * Messages leave strictly in creation order (head of line): a row waiting for its retry holds
 * back the ones behind it, so a resolution never arrives before its alert.
 */
export type NotificationRow = typeof import('../db/schema/sqlite').notifications.$inferSelect;
export type NotificationKind = NotificationRow['kind'];

/** How long a claim (or a 'sending' mark) is trusted before the row is considered orphaned. */
export const CLAIM_LEASE_MS = 120_000;
const BATCH = 5;

export interface NewNotification {
  alertId: string | null;
  kind: NotificationKind;
  html: string;
  status: 'pending' | 'held' | 'dead' | 'sent';
  lastError?: string | null;
  messageId?: string | null;
  /** Delivery attempts already made (the test message is sent before its row is written). */
  attempts?: number;
  now: Date;
}

/**
 * THE way into the outbox. Every text is checked by `assertSafe` here, whoever composed it:
 * outside production a leak throws (and the surrounding transaction rolls back); in production
 * the text is flattened to sanitized plain text. Call inside the change's transaction.
 */
export async function enqueueNotification(n: NewNotification): Promise<NotificationRow> {
  const { db, t } = getDb();
  const row: NotificationRow = {
    id: newId(),
    alertId: n.alertId,
    channel: 'telegram',
    kind: n.kind,
    text: assertSafe(n.html),
    status: n.status,
    attempts: n.attempts ?? 0,
    nextAttemptAt: n.now,
    claimedAt: null,
    lastError: n.lastError ?? null,
    messageId: n.messageId ?? null,
    createdAt: n.now,
    sentAt: n.status === 'sent' ? n.now : null,
  };
  await db.insert(t.notifications).values(row);
  return row;
}

/** Where messages go now, or why they cannot go (null target). */
export async function telegramTarget(): Promise<{ target: TelegramTarget | null; reason: string | null }> {
  const tg = (await getEffectiveSettings()).telegram;
  if (!tg.botToken || !tg.chatId) return { target: null, reason: 'Telegram is not configured (bot token and chat id).' };
  if (!tg.enabled) return { target: null, reason: 'Telegram alerts are switched off in Settings.' };
  return { target: { token: tg.botToken, chatId: tg.chatId, threadId: tg.threadId ?? undefined, apiRoot: tg.apiUrl }, reason: null };
}

// Per-chat rate state and 429 pauses live in this process: only the scheduler leader delivers.
const g = globalThis as unknown as { __gatehouseOutbox?: { rate: Map<string, ChatRateState>; pausedUntil: Map<string, number> } };
function limiter() {
  g.__gatehouseOutbox ??= { rate: new Map(), pausedUntil: new Map() };
  return g.__gatehouseOutbox;
}

/** Tests: forget rate state between cases that drive their own clocks. */
export function resetDeliveryState(): void {
  g.__gatehouseOutbox = undefined;
}

/**
 * Orphans back to 'pending': expired claims, and 'sending' rows whose sender stopped. At
 * start-up on SQLite (`startup`) every claim and every 'sending' row is an orphan.
 */
export async function recoverOutbox(opts: { now?: Date; startup?: boolean } = {}): Promise<number> {
  const { db, t, dialect } = getDb();
  const now = opts.now ?? new Date();
  const all = opts.startup && dialect === 'sqlite';
  const cutoff = new Date(now.getTime() - CLAIM_LEASE_MS);
  const stale = all ? undefined : lt(t.notifications.claimedAt, cutoff);
  const resent = await db
    .update(t.notifications)
    .set({ status: 'pending', claimedAt: null, nextAttemptAt: now, lastError: 'Delivery was interrupted; sending again.' })
    .where(and(eq(t.notifications.status, 'sending'), stale))
    .returning({ id: t.notifications.id });
  await db
    .update(t.notifications)
    .set({ claimedAt: null })
    .where(and(eq(t.notifications.status, 'pending'), sql`${t.notifications.claimedAt} is not null`, stale));
  return resent.length;
}

/**
 * Claims the due rows at the head of the queue (up to `limit`), stopping at the first that is
 * not due or is held by another sender. Claims are serialised (SQLite has one writer; on
 * PostgreSQL an advisory transaction lock), and a claim is a lease: `claimedAt` is the token.
 */
export async function claimDue(now: Date, limit = BATCH): Promise<NotificationRow[]> {
  return atomically(async (db) => {
    const { t, dialect } = getDb();
    if (dialect === 'postgres') await executeSql(sql`select pg_advisory_xact_lock(724322)`);
    const head = await db
      .select()
      .from(t.notifications)
      .where(inArray(t.notifications.status, ['pending', 'sending']))
      .orderBy(asc(t.notifications.id))
      .limit(limit);
    const cutoff = now.getTime() - CLAIM_LEASE_MS;
    const ids: string[] = [];
    for (const r of head) {
      const free = r.status === 'pending' && (!r.claimedAt || r.claimedAt.getTime() < cutoff);
      if (!free || r.nextAttemptAt.getTime() > now.getTime()) break;
      ids.push(r.id);
    }
    if (!ids.length) return [];
    const claimed = await db
      .update(t.notifications)
      .set({ claimedAt: now })
      .where(and(inArray(t.notifications.id, ids), eq(t.notifications.status, 'pending')))
      .returning();
    return claimed.sort((a, b) => (a.id < b.id ? -1 : 1));
  });
}

async function release(rows: NotificationRow[], claimAt: Date): Promise<void> {
  if (!rows.length) return;
  const { db, t } = getDb();
  await db
    .update(t.notifications)
    .set({ claimedAt: null })
    .where(and(inArray(t.notifications.id, rows.map((r) => r.id)), eq(t.notifications.status, 'pending'), eq(t.notifications.claimedAt, claimAt)));
}

export interface DeliverOptions {
  /** The clock (tests drive time instead of sleeping). */
  clock?: () => Date;
  /** How to wait for a rate-limit slot; tests advance their clock instead. */
  sleep?: (ms: number) => Promise<void>;
  /** Longest wait for a slot inside one run; beyond it the run ends and the next one continues. */
  maxWaitMs?: number;
  send?: (target: TelegramTarget, html: string) => Promise<TelegramSendResult>;
  batch?: number;
  random?: () => number;
}

export interface DeliveryStats {
  sent: number;
  retrying: number;
  dead: number;
}

/** One delivery run (the `alerts.deliver` job): claim the head of the queue and send it in order. */
export async function deliverDue(opts: DeliverOptions = {}): Promise<DeliveryStats> {
  const clock = opts.clock ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const send = opts.send ?? ((target: TelegramTarget, html: string) => sendTelegramMessage(target, html));
  const stats: DeliveryStats = { sent: 0, retrying: 0, dead: 0 };
  const { target } = await telegramTarget();
  if (!target) return stats; // rows wait until Telegram is configured or switched on again
  await recoverOutbox({ now: clock() });
  const chat = String(target.chatId);
  const state = limiter();
  const claimAt = clock();
  const rows = await claimDue(claimAt, opts.batch ?? BATCH);
  const { db, t } = getDb();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!(await waitForSlot(chat, clock, sleep, opts.maxWaitMs ?? 5_000))) {
      await release(rows.slice(i), claimAt);
      break;
    }
    const marked = await db
      .update(t.notifications)
      .set({ status: 'sending', attempts: row.attempts + 1 })
      .where(and(eq(t.notifications.id, row.id), eq(t.notifications.status, 'pending'), eq(t.notifications.claimedAt, claimAt)))
      .returning({ id: t.notifications.id });
    if (!marked.length) continue; // the lease was lost (we were too slow); another sender has it
    const result = await send(target, row.text);
    const now = clock();
    const mine = and(eq(t.notifications.id, row.id), eq(t.notifications.status, 'sending'), eq(t.notifications.claimedAt, claimAt));
    // What Telegram answered is known only here: if the database is restarting, keep trying to
    // record it (within the lease, after which another sender would take the row and send it again).
    const record = (set: Partial<NotificationRow>) => retryWhileUnavailable(() => db.update(t.notifications).set(set).where(mine), { timeoutMs: CLAIM_LEASE_MS / 2 });
    if (result.ok) {
      await record({ status: 'sent', sentAt: now, messageId: String(result.messageId), claimedAt: null, lastError: null });
      stats.sent++;
      continue;
    }
    const plan = planRetry({ attempts: row.attempts + 1, lastError: result }, now, undefined, opts.random);
    metrics().outboxFailures.inc({ channel: row.channel, result: plan.action === 'dead' ? 'dead' : 'retry' });
    if (plan.action === 'dead') {
      await record({ status: 'dead', lastError: plan.reason, claimedAt: null });
      stats.dead++;
      continue;
    }
    await record({ status: 'pending', nextAttemptAt: plan.at, lastError: result.reason, claimedAt: null });
    stats.retrying++;
    // Telegram's flood wait applies to the chat, not to one message.
    if (result.retryAfterSeconds !== undefined) state.pausedUntil.set(chat, plan.at.getTime());
    // Whatever failed this one (Telegram down, rate limited) would fail the rest; keep the order.
    await release(rows.slice(i + 1), claimAt);
    break;
  }
  return stats;
}

/** Takes a per-chat send slot, waiting up to `maxWaitMs` for it; false: try again next run. */
async function waitForSlot(chat: string, clock: () => Date, sleep: (ms: number) => Promise<void>, maxWaitMs: number): Promise<boolean> {
  const state = limiter();
  for (let round = 0; round < 3; round++) {
    const now = clock().getTime();
    const paused = state.pausedUntil.get(chat) ?? 0;
    const decision = takeSendSlot(state.rate.get(chat), rateLimitsFor(chat), now);
    const readyAt = Math.max(paused, decision.allowed ? now : decision.retryAt);
    if (readyAt <= now && decision.allowed) {
      state.rate.set(chat, decision.state);
      return true;
    }
    if (readyAt - now > maxWaitMs) return false;
    await sleep(readyAt - now);
  }
  return false;
}

/** Counts by status and the latest delivery problem (from a real attempt), for the console. */
export async function outboxSummary(): Promise<{ counts: Record<string, number>; lastError: string | null }> {
  const { db, t } = getDb();
  const rows = await db.select({ status: t.notifications.status, n: sql<number>`count(*)` }).from(t.notifications).groupBy(t.notifications.status);
  const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const [failing] = await db
    .select({ lastError: t.notifications.lastError })
    .from(t.notifications)
    .where(and(gt(t.notifications.attempts, 0), or(eq(t.notifications.status, 'pending'), eq(t.notifications.status, 'dead')), sql`${t.notifications.lastError} is not null`))
    .orderBy(sql`${t.notifications.id} desc`)
    .limit(1);
  return { counts, lastError: failing?.lastError ?? null };
}
