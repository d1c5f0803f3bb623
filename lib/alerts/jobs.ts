import { and, inArray, lt } from 'drizzle-orm';
import { getDb } from '../db';
import { evaluateAlerts } from './evaluate';
import { deliverDue, recoverOutbox } from './outbox';
import { seedDefaultRules } from './rules';
import { plural } from '../errors';

const KEEP_NOTIFICATIONS_MS = 30 * 86_400_000;

/**
 * Alerting's background jobs. Both run on the scheduler leader only: evaluation reads state
 * that every instance shares, and delivery keeps the per-chat rate limiter in memory.
 */
export const alertJobs = [
  { name: 'alerts.evaluate', pattern: '*/15 * * * * *', run: async () => void (await evaluateAlerts()) },
  { name: 'alerts.deliver', pattern: '*/2 * * * * *', run: async () => void (await deliverDue()) },
  { name: 'alerts.prune', pattern: '0 17 3 * * *', run: () => pruneNotifications() },
];

/** Start-up: default rules exist, and deliveries a stopped process left half-done are resumed. */
export async function runAlertStartup(): Promise<void> {
  const seeded = await seedDefaultRules();
  if (seeded) console.log(`[gatehouse] alerts: created ${plural(seeded, 'default rule')}`);
  const resent = await recoverOutbox({ startup: true });
  if (resent) console.warn(`[gatehouse] alerts: ${plural(resent, 'Telegram message')} ${resent === 1 ? 'was' : 'were'} being sent when Gatehouse stopped; sending them again`);
}

/** Delivered and dropped messages are kept 30 days (the incidents themselves stay). */
async function pruneNotifications(): Promise<void> {
  const { db, t } = getDb();
  await db
    .delete(t.notifications)
    .where(and(inArray(t.notifications.status, ['sent', 'dead']), lt(t.notifications.createdAt, new Date(Date.now() - KEEP_NOTIFICATIONS_MS))));
}
