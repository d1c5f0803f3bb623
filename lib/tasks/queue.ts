import { and, asc, desc, eq, gt, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import { afterCommit, atomically, executeSql, getDb, newId } from '../db';
import { publish } from '../events/bus';
import type { Actor } from '../auth/actor';
import { requireServerVisible, visibleServerIds } from '../auth/rbac';
import { NotFoundError } from '../errors';
import { toPage } from '../db/paginate';
import type { TaskDto } from './schemas';

type TaskRow = typeof import('../db/schema/sqlite').tasks.$inferSelect;

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

export interface EnqueueInput {
  kind: string;
  serverId?: string | null;
  domainId?: string | null;
  input?: Record<string, unknown>;
}

/** Queues a task (inside the caller's transaction, if any) and wakes this process's runner. */
export async function enqueueTask(actor: Actor, e: EnqueueInput): Promise<TaskDto> {
  return atomically(async (db) => {
    const { t } = getDb();
    const row: TaskRow = {
      id: newId(),
      kind: e.kind,
      status: 'queued',
      progress: 0,
      serverId: e.serverId ?? null,
      domainId: e.domainId ?? null,
      createdBy: actor.id,
      input: e.input ?? null,
      result: null,
      error: null,
      claimedBy: null,
      heartbeatAt: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    };
    await db.insert(t.tasks).values(row);
    await publishTask(row);
    const { wakeRunner } = await import('./runner');
    // After commit, and so outside the transaction's async context: a runner woken inside it would
    // run the task in that context, where afterCommit hooks (event delivery) never fire.
    afterCommit(wakeRunner);
    return toTaskDto(row);
  });
}

export async function publishTask(r: Pick<TaskRow, 'id' | 'status' | 'progress' | 'serverId' | 'kind' | 'error'>) {
  await publish({ type: 'task.updated', serverId: r.serverId, data: { taskId: r.id, status: r.status, progress: r.progress, kind: r.kind, error: r.error } });
}

async function visibleTask(actor: Actor, id: string): Promise<TaskRow> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.tasks).where(eq(t.tasks.id, id)).limit(1);
  if (!row) throw new NotFoundError('Task');
  if (actor.role !== 'admin') {
    if (!row.serverId) throw new NotFoundError('Task');
    await requireServerVisible(actor, row.serverId, 'Task');
  }
  return row;
}

export async function getTask(actor: Actor, id: string): Promise<TaskDto> {
  return toTaskDto(await visibleTask(actor, id));
}

/** Newest first. Users see tasks of the servers shared with them. */
export async function listTasks(actor: Actor, p: { limit: number; cursor?: string; serverId?: string; status?: TaskRow['status'] }) {
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const rows = await db
    .select()
    .from(t.tasks)
    .where(
      and(
        p.cursor ? lt(t.tasks.id, p.cursor) : undefined,
        p.serverId ? eq(t.tasks.serverId, p.serverId) : undefined,
        p.status ? eq(t.tasks.status, p.status) : undefined,
        visible ? inArray(t.tasks.serverId, visible) : undefined,
      ),
    )
    .orderBy(desc(t.tasks.id))
    .limit(p.limit + 1);
  return toPage(rows, p.limit, toTaskDto);
}

export async function getTaskLogs(actor: Actor, id: string, p: { after: number; limit: number }) {
  await visibleTask(actor, id);
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.taskLogs)
    .where(and(eq(t.taskLogs.taskId, id), gt(t.taskLogs.seq, p.after)))
    .orderBy(asc(t.taskLogs.seq))
    .limit(p.limit);
  return { lines: rows.map((r) => ({ seq: r.seq, at: r.at.toISOString(), stream: r.stream, text: r.text })) };
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
