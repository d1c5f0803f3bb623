import { and, eq, inArray } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { activeSilences, isSilenced } from './silences';

/**
 * What happens to messages a silence held back, once it has ended (or was deleted). The rule
 * keeps the chat consistent with what is true now, without replaying the past:
 *
 * - The incident is still open: its held opening message is sent now (so nobody misses an
 *   incident that outlived the maintenance window); held reminders are dropped.
 * - The incident closed during the silence and its opening message had been sent before the
 *   silence began: the held resolution is sent, so the chat never shows an incident as open
 *   forever.
 * - The incident opened and closed within the silence: nothing is sent, ever. The incident is
 *   still in the record (alerts table, the console's past incidents).
 *
 * A resolution that happens after the silence has ended is an ordinary message: it is sent when
 * the opening message was (evaluate.ts `resolutionStatus`).
 * Dropped messages become 'dead' with a "Not sent" reason and no attempts, so the outbox's
 * delivery-problem summary ignores them.
 */
export async function releaseHeld(now: Date): Promise<{ released: number; dropped: number }> {
  const { db, t } = getDb();
  const held = await db
    .select({ id: t.notifications.id, kind: t.notifications.kind, alertId: t.notifications.alertId })
    .from(t.notifications)
    .where(eq(t.notifications.status, 'held'));
  if (!held.length) return { released: 0, dropped: 0 };
  const alertIds = [...new Set(held.map((h) => h.alertId).filter((id): id is string => id !== null))];
  const alerts = alertIds.length
    ? await db
        .select({ id: t.alerts.id, state: t.alerts.state, serverId: t.alerts.serverId, domainId: t.alerts.domainId })
        .from(t.alerts)
        .where(inArray(t.alerts.id, alertIds))
    : [];
  const silences = await activeSilences(now);
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const release: string[] = [];
  const drop: string[] = [];
  const unsilenced: string[] = [];
  const sentBefore = await firedAndSent(alertIds);
  for (const alertId of alertIds) {
    const alert = byId.get(alertId);
    const rows = held.filter((h) => h.alertId === alertId);
    if (alert && isSilenced(silences, alert)) continue;
    unsilenced.push(alertId);
    for (const h of rows) {
      const send = alert?.state === 'firing' ? h.kind === 'fired' : alert?.state === 'resolved' && h.kind === 'resolved' && sentBefore.has(alertId);
      (send ? release : drop).push(h.id);
    }
  }
  // Held rows of an incident that no longer exists (its server was deleted) go too.
  for (const h of held) if (h.alertId === null || (!byId.has(h.alertId) && !drop.includes(h.id))) drop.push(h.id);
  if (!release.length && !drop.length) return { released: 0, dropped: 0 };
  await atomically(async (tx) => {
    if (release.length) {
      await tx
        .update(t.notifications)
        .set({ status: 'pending', nextAttemptAt: now, claimedAt: null })
        .where(and(inArray(t.notifications.id, release), eq(t.notifications.status, 'held')));
    }
    if (drop.length) {
      await tx
        .update(t.notifications)
        .set({ status: 'dead', lastError: 'Not sent: held by a silence.' })
        .where(and(inArray(t.notifications.id, drop), eq(t.notifications.status, 'held')));
    }
    if (unsilenced.length) await tx.update(t.alerts).set({ silenced: false }).where(inArray(t.alerts.id, unsilenced));
  });
  return { released: release.length, dropped: drop.length };
}

/** Incidents whose opening message was delivered (or is on its way). */
async function firedAndSent(alertIds: string[]): Promise<Set<string>> {
  if (!alertIds.length) return new Set();
  const { db, t } = getDb();
  const rows = await db
    .select({ alertId: t.notifications.alertId })
    .from(t.notifications)
    .where(and(inArray(t.notifications.alertId, alertIds), eq(t.notifications.kind, 'fired'), inArray(t.notifications.status, ['pending', 'sending', 'sent'])));
  return new Set(rows.map((r) => r.alertId!));
}
