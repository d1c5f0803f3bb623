import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { isDatabaseUnavailable, retryWhileUnavailable } from '../db/unavailable';
import { publish } from '../events/bus';
import { claimNextTask, publishTask, type TaskRow } from './store';
import { isTaskFailure, type TaskContext, type TaskHandler, type TaskHandlers } from './context';
import { redactor } from './redact';
import { recordTask } from '../metrics';

const g = globalThis as unknown as {
  __gatehouseTasks?: { handlers: Map<string, TaskHandler>; running: number; wake?: () => void; instanceId: string; draining?: Promise<void> };
};
function state() {
  g.__gatehouseTasks ??= { handlers: new Map(), running: 0, instanceId: `${process.pid}-${crypto.randomBytes(4).toString('hex')}` };
  return g.__gatehouseTasks;
}

const MAX_CONCURRENT = Number(process.env.GATEHOUSE_TASK_CONCURRENCY ?? 4);
const HEARTBEAT_MS = 10_000;

/** Registers task handlers by kind (the composition root does it for every feature; tests for theirs). */
export function registerTaskHandlers(table: TaskHandlers): void {
  for (const [kind, handler] of Object.entries(table)) state().handlers.set(kind, handler);
}

/** Runs one claimed task to its end; the row always leaves "running". */
async function runTask(task: TaskRow): Promise<void> {
  const { db, t } = getDb();
  const handler = state().handlers.get(task.kind)!;
  const redact = redactor();
  let seq = 0;
  let lastProgress = 0;
  const controller = new AbortController();
  const heartbeat = setInterval(() => {
    void db.update(t.tasks).set({ heartbeatAt: new Date() }).where(eq(t.tasks.id, task.id)).catch(() => {});
  }, HEARTBEAT_MS);
  const ctx: TaskContext = {
    task,
    signal: controller.signal,
    addSecret: redact.add,
    async log(text, stream = 'info') {
      for (const line of redact.apply(text).replace(/\r/g, '').split('\n')) {
        if (line === '' && stream !== 'info') continue;
        seq++;
        await db.insert(t.taskLogs).values({ taskId: task.id, seq, at: new Date(), stream, text: line.slice(0, 4000) });
        await publish({ type: 'task.log', serverId: task.serverId, data: { taskId: task.id, seq, stream, text: line.slice(0, 2000) } });
      }
    },
    async progress(pct) {
      const p = Math.max(lastProgress, Math.min(100, Math.round(pct)));
      if (p === lastProgress) return;
      lastProgress = p;
      await db.update(t.tasks).set({ progress: p }).where(eq(t.tasks.id, task.id));
      await publishTask({ ...task, status: 'running', progress: p });
    },
  };
  let status: 'succeeded' | 'failed' = 'succeeded';
  let error: string | null = null;
  let result: Record<string, unknown> | null = null;
  try {
    await publishTask({ ...task, status: 'running' });
    result = (await handler(ctx)) ?? null;
  } catch (err) {
    status = 'failed';
    if (isTaskFailure(err)) error = redact.apply(err.message);
    else if (isDatabaseUnavailable(err)) {
      error = DATABASE_LOST;
      console.error(`[gatehouse] task ${task.kind} ${task.id} stopped: the database became unavailable (${redact.apply(String((err as Error)?.message ?? err)).replace(/\s+/g, ' ')})`);
    } else {
      error = 'The task failed unexpectedly; see the server log.';
      console.error(`[gatehouse] task ${task.kind} ${task.id} crashed:`, redact.apply(String((err as Error)?.stack ?? err)));
    }
    await ctx.log(`Failed: ${error}`, 'stderr').catch(() => {});
  } finally {
    clearInterval(heartbeat);
    controller.abort();
  }
  const progress = status === 'succeeded' ? 100 : lastProgress;
  // The outcome is known here even if the database is restarting: keep trying to record it, or
  // the row would stay "running" although nothing runs it any more. State and event together.
  await retryWhileUnavailable(() =>
    atomically(async (tx) => {
      await tx.update(t.tasks).set({ status, error, result, progress, finishedAt: new Date() }).where(eq(t.tasks.id, task.id));
      await publishTask({ ...task, status, progress, error });
    }),
  );
  recordTask(task.kind, status, task.startedAt);
}

const DATABASE_LOST =
  'The database became unavailable while this task ran, so it stopped without recording all of its steps. Run it again once the database is back.';

/** Claims and runs queued tasks until none is left or the concurrency limit is reached. */
async function pump(): Promise<void> {
  const s = state();
  while (s.running < MAX_CONCURRENT) {
    const task = await claimNextTask(s.instanceId, [...s.handlers.keys()]);
    if (!task) return;
    s.running++;
    void runTask(task)
      .catch((err) => console.error('[gatehouse] task runner error:', (err as Error).message))
      .finally(() => {
        s.running--;
        wakeRunner();
      });
  }
}

let scheduled = false;
/** Nudges the runner (after an enqueue in this process; the scheduler also polls for others'). */
export function wakeRunner(): void {
  if (scheduled || process.env.GATEHOUSE_TASK_RUNNER === 'off') return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    void pump().catch((err) => console.error('[gatehouse] task pump failed:', (err as Error).message));
  });
}

export const pollTasks = () => pump();

/** Tests and the CLI: run queued tasks until the queue is empty and nothing is running. */
export async function drainTasks(timeoutMs = 120_000): Promise<void> {
  const s = state();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await pump();
    const { db, t } = getDb();
    const open = await db.select({ id: t.tasks.id }).from(t.tasks).where(eq(t.tasks.status, 'queued')).limit(1);
    if (s.running === 0 && open.length === 0) return;
    if (Date.now() > deadline) throw new Error('drainTasks timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until a task has finished (any terminal status) and returns its row. */
export async function waitForTask(id: string, timeoutMs = 120_000): Promise<TaskRow> {
  const deadline = Date.now() + timeoutMs;
  const { db, t } = getDb();
  for (;;) {
    await pump();
    const [row] = await db.select().from(t.tasks).where(eq(t.tasks.id, id)).limit(1);
    if (row && !['queued', 'running'].includes(row.status)) return row;
    if (Date.now() > deadline) throw new Error(`task ${id} did not finish in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
