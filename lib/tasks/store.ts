import { and, asc, eq, inArray, isNotNull, isNull, lt, ne, notInArray, or, sql } from 'drizzle-orm';
import { atomically, executeSql, getDb } from '../db';
import { publish } from '../events/bus';
import type { TaskDto } from './schemas';

/** The tasks and task_logs tables: this file is their one writer besides the runner's log lines. */
export type TaskRow = typeof import('../db/schema/sqlite').tasks.$inferSelect;

export const toTaskDto = (r: TaskRow): TaskDto => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  progress: r.progress,
  serverId: r.serverId,
  domainId: r.domainId,
  error: r.error,
  result: r.result,
  createdAt: r.createdAt.toISOString(),
  startedAt: r.startedAt?.toISOString() ?? null,
  finishedAt: r.finishedAt?.toISOString() ?? null,
});

export async function publishTask(r: Pick<TaskRow, 'id' | 'status' | 'progress' | 'serverId' | 'kind' | 'error'>) {
  await publish({ type: 'task.updated', serverId: r.serverId, data: { taskId: r.id, status: r.status, progress: r.progress, kind: r.kind, error: r.error } });
}

/**
 * Claims the oldest queued task whose server has no task running, atomically: on PostgreSQL
 * with FOR UPDATE SKIP LOCKED so instances never take the same one; SQLite has one writer.
 */
export async function claimNextTask(instanceId: string, kinds: string[]): Promise<TaskRow | null> {
  if (kinds.length === 0) return null;
  const { db, t, dialect } = getDb();
  const busyServers = db.select({ s: t.tasks.serverId }).from(t.tasks).where(and(eq(t.tasks.status, 'running'), sql`${t.tasks.serverId} is not null`));
  const candidate = db
    .select({ id: t.tasks.id })
    .from(t.tasks)
    .where(and(eq(t.tasks.status, 'queued'), inArray(t.tasks.kind, kinds), or(isNull(t.tasks.serverId), notInArray(t.tasks.serverId, busyServers))))
    .orderBy(asc(t.tasks.createdAt), asc(t.tasks.id))
    .limit(1);
  const lockedCandidate = dialect === 'postgres' ? sql`${candidate} for update skip locked` : sql`${candidate}`;
  const now = new Date();
  const [row] = await atomically(async (tx) => {
    // Claims are short: serialising them makes "one running task per server" hold across instances
    // (SKIP LOCKED alone would let two instances take two tasks of the same server at once).
    if (dialect === 'postgres') await executeSql(sql`select pg_advisory_xact_lock(724313)`);
    return tx
      .update(t.tasks)
      .set({ status: 'running', claimedBy: instanceId, startedAt: now, heartbeatAt: now })
      .where(and(sql`${t.tasks.id} = (${lockedCandidate})`, eq(t.tasks.status, 'queued')))
      .returning();
  });
  return row ?? null;
}

/**
 * Tasks whose runner stopped heart-beating are marked interrupted, never left "running".
 * At start-up on SQLite (one instance) every running task is such a task.
 */
export async function interruptStaleTasks(olderThanMs: number): Promise<number> {
  const { db, t } = getDb();
  const cutoff = new Date(Date.now() - olderThanMs);
  const rows = await db
    .update(t.tasks)
    .set({ status: 'interrupted', error: 'Gatehouse stopped while this task was running.', finishedAt: new Date() })
    .where(and(eq(t.tasks.status, 'running'), olderThanMs > 0 ? or(isNull(t.tasks.heartbeatAt), lt(t.tasks.heartbeatAt, cutoff)) : undefined))
    .returning();
  for (const r of rows) await publishTask(r);
  return rows.length;
}

/** What a task whose instance died says. */
export const INSTANCE_LOST = 'The Gatehouse instance running this task stopped before it finished; run it again.';

/**
 * Periodic (leader): running tasks whose instance is gone (its row not seen for `staleMs`, or
 * marked stopped) are marked interrupted, with their event. A task of an instance with no row
 * at all (an older version, or a pruned row) counts once its own heartbeat is `orphanMs` old.
 * This instance's own tasks are never touched.
 */
export async function interruptTasksOfDeadInstances(selfId: string, staleMs: number, orphanMs = 60_000, now = Date.now()): Promise<number> {
  const { db, t } = getDb();
  const gone = db
    .select({ id: t.instances.id })
    .from(t.instances)
    .where(or(isNotNull(t.instances.stoppedAt), lt(t.instances.lastSeenAt, new Date(now - staleMs))));
  const known = db.select({ id: t.instances.id }).from(t.instances);
  const rows = await db
    .update(t.tasks)
    .set({ status: 'interrupted', error: INSTANCE_LOST, finishedAt: new Date(now) })
    .where(
      and(
        eq(t.tasks.status, 'running'),
        or(isNull(t.tasks.claimedBy), ne(t.tasks.claimedBy, selfId)),
        or(
          inArray(t.tasks.claimedBy, gone),
          and(
            or(isNull(t.tasks.claimedBy), notInArray(t.tasks.claimedBy, known)),
            or(isNull(t.tasks.heartbeatAt), lt(t.tasks.heartbeatAt, new Date(now - orphanMs))),
          ),
        ),
      ),
    )
    .returning();
  for (const r of rows) await publishTask(r);
  return rows.length;
}

/**
 * Shutdown: marks these tasks (still running in this process) `interrupted` with `message` as
 * their error and last log line, each with its event. A row that is no longer running is left
 * alone. A log line racing in from the task gets the seq first; then this one is retried.
 */
export async function interruptTasks(ids: readonly string[], message: string): Promise<number> {
  const { t } = getDb();
  let n = 0;
  for (const id of ids) {
    for (let attempt = 0; ; attempt++) {
      try {
        const row = await atomically(async (tx) => {
          const [last] = await tx.select({ seq: sql<number>`coalesce(max(${t.taskLogs.seq}), 0)` }).from(t.taskLogs).where(eq(t.taskLogs.taskId, id));
          const [r] = await tx
            .update(t.tasks)
            .set({ status: 'interrupted', error: message, finishedAt: new Date() })
            .where(and(eq(t.tasks.id, id), eq(t.tasks.status, 'running')))
            .returning();
          if (!r) return null;
          await tx.insert(t.taskLogs).values({ taskId: id, seq: Number(last?.seq ?? 0) + 1, at: new Date(), stream: 'stderr', text: `Interrupted: ${message}` });
          await publishTask(r);
          return r;
        });
        if (row) n++;
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  }
  return n;
}

/**
 * Deletes finished tasks (and, by cascade, their logs) older than `keepDays`; queued and running
 * ones are never touched. Runs from the housekeeping job with `retention.taskDays`.
 */
export async function pruneTasks(keepDays: number, now = new Date()): Promise<number> {
  const { db, t } = getDb();
  const cutoff = new Date(now.getTime() - keepDays * 86_400_000);
  const rows = await db
    .delete(t.tasks)
    .where(and(inArray(t.tasks.status, ['succeeded', 'failed', 'interrupted']), lt(t.tasks.finishedAt, cutoff)))
    .returning({ id: t.tasks.id });
  return rows.length;
}
