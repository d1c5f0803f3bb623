import { and, eq } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { config } from '../config';
import { isDatabaseUnavailable, retryWhileUnavailable } from '../db/unavailable';
import { publish } from '../events/bus';
import { isDraining } from '../lifecycle';
import { claimNextTask, interruptTasks, publishTask, type TaskRow } from './store';
import { isTaskFailure, type TaskContext, type TaskHandler, type TaskHandlers } from './context';
import { redactor } from './redact';
import { recordTask } from '../metrics';

/** A task this process is running: its abort controller, and whether shutdown gave up on it. */
interface Running {
  task: TaskRow;
  controller: AbortController;
  interrupted: boolean;
}

const g = globalThis as unknown as {
  __gatehouseTasks?: { handlers: Map<string, TaskHandler>; running: number; active: Map<string, Running>; instanceId: string; stopped?: boolean };
};
function state() {
  g.__gatehouseTasks ??= { handlers: new Map(), running: 0, active: new Map(), instanceId: config().INSTANCE_ID };
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
  const running: Running = { task, controller, interrupted: false };
  state().active.set(task.id, running);
  const heartbeat = setInterval(() => {
    void db.update(t.tasks).set({ heartbeatAt: new Date() }).where(eq(t.tasks.id, task.id)).catch(() => {});
  }, HEARTBEAT_MS);
  const ctx: TaskContext = {
    task,
    signal: controller.signal,
    addSecret: redact.add,
    async log(text, stream = 'info') {
      // Once shutdown has marked the task interrupted, its row is final: nothing more is added.
      if (running.interrupted) return;
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
  try {
    await recordOutcome(running, { status, error, result, progress: status === 'succeeded' ? 100 : lastProgress });
  } finally {
    // Only now: shutdown waits for this set to empty before it closes the database.
    state().active.delete(task.id);
  }
}

async function recordOutcome(
  running: Running,
  o: { status: 'succeeded' | 'failed'; error: string | null; result: Record<string, unknown> | null; progress: number },
): Promise<void> {
  if (running.interrupted) return;
  const { task } = running;
  const { t } = getDb();
  const { status, error, result, progress } = o;
  // The outcome is known here even if the database is restarting: keep trying to record it, or
  // the row would stay "running" although nothing runs it any more. State and event together.
  // Only a row still "running" takes it (shutdown may have marked it interrupted meanwhile).
  await retryWhileUnavailable(() =>
    atomically(async (tx) => {
      const done = await tx
        .update(t.tasks)
        .set({ status, error, result, progress, finishedAt: new Date() })
        .where(and(eq(t.tasks.id, task.id), eq(t.tasks.status, 'running')))
        .returning({ id: t.tasks.id });
      if (done.length) await publishTask({ ...task, status, progress, error });
    }),
  );
  recordTask(task.kind, status, task.startedAt);
}

const DATABASE_LOST =
  'The database became unavailable while this task ran, so it stopped without recording all of its steps. Run it again once the database is back.';

/** Claims and runs queued tasks until none is left or the concurrency limit is reached. */
async function pump(): Promise<void> {
  const s = state();
  while (s.running < MAX_CONCURRENT && !s.stopped && !isDraining()) {
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
  if (scheduled || process.env.GATEHOUSE_TASK_RUNNER === 'off' || state().stopped) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    void pump().catch((err) => console.error('[gatehouse] task pump failed:', (err as Error).message));
  });
}

export const pollTasks = () => pump();

/** What an interrupted task's row and last log line say. */
export const SHUTDOWN_INTERRUPTED = 'Gatehouse shut down before this task finished; run it again.';

/**
 * Shutdown: claims no more tasks, waits up to `graceMs` for the running ones to finish, then
 * marks those still running `interrupted` (with a log line) and aborts their signal. Their
 * handlers may still be mid-step; nothing they do afterwards changes the row. Returns how many
 * were interrupted. Queued tasks stay queued for the next start (or another instance).
 */
export async function stopRunner(graceMs = 20_000): Promise<number> {
  const s = state();
  s.stopped = true;
  const deadline = Date.now() + graceMs;
  while (s.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const left = [...s.active.values()];
  if (!left.length) return 0;
  for (const r of left) r.interrupted = true;
  await interruptTasks(
    left.map((r) => r.task.id),
    SHUTDOWN_INTERRUPTED,
  ).catch((err) => console.error('[gatehouse] marking tasks interrupted at shutdown failed:', (err as Error).message));
  for (const r of left) {
    console.warn(`[gatehouse] task ${r.task.kind} ${r.task.id} interrupted by shutdown`);
    r.controller.abort();
  }
  return left.length;
}

/** Is this process running the task now (its handler has not returned)? */
export const isRunning = (taskId: string): boolean => state().active.has(taskId);

/** Tests: let a stopped runner claim tasks again. */
export function resumeRunner(): void {
  state().stopped = false;
}

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
