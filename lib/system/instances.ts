import { and, count, desc, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '../db';
import { config } from '../config';
import { INSTANCE_STALE_MS, isLeader } from '../lifecycle';
import { leaseCounts } from '../monitoring/poll-leases';

export const instanceSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  /** Runs the singleton jobs (only a live instance can). */
  leader: z.boolean(),
  /** Servers this instance polls now (its live poll leases; on SQLite the whole fleet). */
  polling: z.number().int(),
});
export const instanceListSchema = z.object({ items: z.array(instanceSchema) });
export type InstanceDto = z.infer<typeof instanceSchema>;

/**
 * GET /instances: every instance row, live ones first (newest start first). A stopped instance
 * shows its lastSeenAt as the moment it stopped, so it reads as gone at once.
 */
export async function listInstances(now = Date.now()): Promise<z.infer<typeof instanceListSchema>> {
  return { items: (await instanceRows(now)).map(({ gone: _gone, ...i }) => i) };
}

/** The rows with whether each is gone (the console's view). */
export async function instanceRows(now = Date.now()): Promise<Array<InstanceDto & { gone: boolean }>> {
  const { db, t, dialect } = getDb();
  const rows = await db.select().from(t.instances).orderBy(desc(t.instances.startedAt));
  let polling: Map<string, number>;
  if (dialect === 'postgres') polling = await leaseCounts();
  else {
    // SQLite: one instance polls every monitored server.
    const [{ n }] = await db
      .select({ n: count() })
      .from(t.servers)
      .where(and(eq(t.servers.monitoringEnabled, true), isNotNull(t.servers.glancesUrl)));
    polling = new Map(rows.filter((r) => r.scheduler && !r.stoppedAt).map((r) => [r.id, Number(n)]));
  }
  const me = config().INSTANCE_ID;
  const items = rows.map((r) => {
    const lastSeenAt = (r.stoppedAt && r.stoppedAt < r.lastSeenAt ? r.stoppedAt : r.lastSeenAt).toISOString();
    const gone = Boolean(r.stoppedAt) || now - Date.parse(lastSeenAt) > INSTANCE_STALE_MS;
    // This process knows its own leadership now; the others' comes from their last heartbeat.
    const leader = !gone && (r.id === me ? isLeader() : r.leader);
    return { id: r.id, startedAt: r.startedAt.toISOString(), lastSeenAt, leader, polling: gone ? 0 : (polling.get(r.id) ?? 0), gone };
  });
  items.sort((a, b) => Number(a.gone) - Number(b.gone));
  return items;
}
