/**
 * The task runner at shutdown (lib/tasks/runner.ts `stopRunner`): no task is claimed any more, a
 * task that finishes within the grace period records its own outcome, one still running after it
 * is marked `interrupted` with a log line, and nothing the handler does afterwards changes that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { waitFor } from '../support/wait';
import { getDb } from '@/lib/db';
import { enqueueTask } from '@/lib/tasks/service';
import { isRunning, pollTasks, registerTaskHandlers, resumeRunner, SHUTDOWN_INTERRUPTED, stopRunner } from '@/lib/tasks/runner';
import { cliActor } from '@/lib/access/actor';
import { startScheduler, stopScheduler } from '@/lib/scheduler';

/** A handler held at a gate until the test opens it; `started` resolves when it runs. */
function gated() {
  let open!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const running = new Promise<void>((r) => (started = r));
  return { gate, running, open, started };
}

describe.each(dialects)('task runner shutdown on %s', (dialect) => {
  let tdb: TestDb;
  let current = gated();
  let aborted = false;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    registerTaskHandlers({
      'test.held': async (ctx) => {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        await ctx.log('step 1');
        current.started();
        await current.gate;
        await ctx.log('step 2 (after the gate)');
        return { done: true };
      },
    });
  });
  afterAll(async () => {
    resumeRunner();
    await tdb?.close();
  });

  const row = async (id: string) => {
    const { db, t } = getDb();
    const [r] = await db.select().from(t.tasks).where(eq(t.tasks.id, id));
    return r!;
  };
  const logs = async (id: string) => {
    const { db, t } = getDb();
    return (await db.select().from(t.taskLogs).where(eq(t.taskLogs.taskId, id)).orderBy(t.taskLogs.seq)).map((l) => l.text);
  };

  it('a task that finishes within the grace period records its own outcome', async () => {
    resumeRunner();
    current = gated();
    const task = await enqueueTask(cliActor, { kind: 'test.held' });
    await pollTasks();
    await current.running;
    const stopping = stopRunner(60_000);
    current.open();
    expect(await stopping).toBe(0);
    const r = await waitFor(async () => ((await row(task.id)).status === 'running' ? null : row(task.id)), { description: 'task final' });
    expect(r.status).toBe('succeeded');
    expect(await logs(task.id)).toEqual(['step 1', 'step 2 (after the gate)']);
  });

  it('a stopped runner claims nothing; the queued task stays queued for the next start', async () => {
    const task = await enqueueTask(cliActor, { kind: 'test.held' });
    await pollTasks();
    expect((await row(task.id)).status).toBe('queued');
    // Leave the queue empty for the next test.
    const { db, t } = getDb();
    await db.delete(t.tasks).where(eq(t.tasks.id, task.id));
  });

  it('a task still running after the grace period is interrupted, with a log line, and stays so', async () => {
    resumeRunner();
    current = gated();
    aborted = false;
    const task = await enqueueTask(cliActor, { kind: 'test.held' });
    await pollTasks();
    await current.running;
    expect(await stopRunner(50)).toBe(1);
    let r = await row(task.id);
    expect(r.status).toBe('interrupted');
    expect(r.error).toBe(SHUTDOWN_INTERRUPTED);
    expect(r.finishedAt).not.toBeNull();
    expect(aborted).toBe(true);
    expect(await logs(task.id)).toEqual(['step 1', `Interrupted: ${SHUTDOWN_INTERRUPTED}`]);
    const { db, t } = getDb();
    const events = (await db.select({ data: t.events.data }).from(t.events).where(eq(t.events.type, 'task.updated')))
      .filter((e) => e.data.taskId === task.id)
      .map((e) => e.data.status);
    expect(events.at(-1)).toBe('interrupted');

    // The handler carries on once released (as an SSH command already sent would): its later
    // log line and its "succeeded" do not overwrite the interrupted row.
    current.open();
    await waitFor(async () => !isRunning(task.id), { description: 'the handler to return' });
    r = await row(task.id);
    expect(r.status).toBe('interrupted');
    expect(await logs(task.id)).toEqual(['step 1', `Interrupted: ${SHUTDOWN_INTERRUPTED}`]);
  });

  it('stopping the scheduler: no job starts again, a run in progress is waited for (up to the limit)', async () => {
    const job = gated();
    let runs = 0;
    let finished = 0;
    await startScheduler([
      {
        name: `test-held-${dialect}`,
        pattern: '* * * * * *',
        everyInstance: true,
        run: async () => {
          runs++;
          job.started();
          await job.gate;
          finished++;
        },
      },
    ]);
    await job.running;
    let stopped = false;
    const stopping = stopScheduler(60_000).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    job.open();
    await stopping;
    expect(finished).toBe(1);
    expect(runs).toBe(1);

    // A run that never ends does not hold the shutdown past the limit.
    const stuck = gated();
    await startScheduler([{ name: `test-stuck-${dialect}`, pattern: '* * * * * *', everyInstance: true, run: async () => (stuck.started(), stuck.gate) }]);
    await stuck.running;
    await stopScheduler(50);
    stuck.open();
  });
});
