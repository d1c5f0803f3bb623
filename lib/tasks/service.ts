import { and, asc, desc, eq, gt, inArray, lt } from 'drizzle-orm';
import { afterCommit, atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireServerVisible, visibleServerIds } from '../access/rbac';
import { NotFoundError } from '../errors';
import { toPage } from '../pagination';
import type { TaskDto } from './schemas';
import { publishTask, toTaskDto, type TaskRow } from './store';
import { wakeRunner } from './runner';

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
    // After commit, and so outside the transaction's async context: a runner woken inside it would
    // run the task in that context, where afterCommit hooks (event delivery) never fire.
    afterCommit(wakeRunner);
    return toTaskDto(row);
  });
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

