import { eq, lt } from 'drizzle-orm';
import { getDb } from '../db';
import { config } from '../config';
import { INSTANCE_HEARTBEAT_MS, isLeader } from '../lifecycle';

/**
 * The `instances` table: each process writes its own row every INSTANCE_HEARTBEAT_MS (whether it
 * leads, whether it runs the scheduler), on SQLite too (one row). A graceful shutdown marks it
 * stopped; rows of instances gone for a day are pruned by the leader.
 */
interface HeartbeatState {
  startedAt: Date;
  timer?: NodeJS.Timeout;
  stopped?: boolean;
}

const g = globalThis as unknown as { __gatehouseInstance?: HeartbeatState };
const state = () => (g.__gatehouseInstance ??= { startedAt: new Date() });

const PRUNE_AFTER_MS = 24 * 3_600_000;

/** Writes this instance's row (insert or refresh). */
export async function heartbeatInstance(now = new Date()): Promise<void> {
  const s = state();
  if (s.stopped) return;
  const { db, t } = getDb();
  const cfg = config();
  const row = { lastSeenAt: now, leader: isLeader(), scheduler: cfg.SCHEDULER === 'on', stoppedAt: null };
  await db
    .insert(t.instances)
    .values({ id: cfg.INSTANCE_ID, startedAt: s.startedAt, ...row })
    .onConflictDoUpdate({ target: t.instances.id, set: row });
}

/** Starts the heartbeat (every instance, SCHEDULER on or off); the first row is written before it resolves. */
export async function startInstanceHeartbeat(): Promise<void> {
  const s = state();
  s.stopped = false;
  await heartbeatInstance();
  if (s.timer) return;
  s.timer = setInterval(() => {
    void heartbeatInstance().catch((err) => console.error('[gatehouse] instance heartbeat failed:', (err as Error).message));
  }, INSTANCE_HEARTBEAT_MS);
  s.timer.unref();
}

/** Shutdown (after the running tasks ended): no more heartbeats, and the row says it is gone. */
export async function stopInstanceHeartbeat(): Promise<void> {
  const s = state();
  if (s.timer) clearInterval(s.timer);
  s.timer = undefined;
  s.stopped = true;
  const { db, t } = getDb();
  await db.update(t.instances).set({ stoppedAt: new Date(), leader: false }).where(eq(t.instances.id, config().INSTANCE_ID));
}

/** Leader job: forgets instances not seen for a day. */
export async function pruneInstances(now = Date.now()): Promise<number> {
  const { db, t } = getDb();
  const cutoff = new Date(now - PRUNE_AFTER_MS);
  const rows = await db
    .delete(t.instances)
    .where(lt(t.instances.lastSeenAt, cutoff))
    .returning({ id: t.instances.id });
  return rows.length;
}

/** Tests: forget the heartbeat state (a new "process"). */
export function resetInstanceHeartbeat(): void {
  const s = g.__gatehouseInstance;
  if (s?.timer) clearInterval(s.timer);
  g.__gatehouseInstance = undefined;
}
