import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { readSse } from '../support/sse';
import { getDb, newId } from '@/lib/db';
import { publish } from '@/lib/events/bus';
import { enqueueTask } from '@/lib/tasks/service';
import { claimNextTask, interruptStaleTasks } from '@/lib/tasks/store';
import { TaskFailure } from '@/lib/tasks/context';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { cliActor } from '@/lib/access/actor';

async function makeServer(name: string) {
  const { db, t } = getDb();
  const now = new Date();
  const id = newId();
  await db.insert(t.servers).values({ id, name, host: '127.0.0.1', authMethod: 'password', createdAt: now, updatedAt: now });
  return id;
}

describe.each(dialects)('tasks and events on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let shared: string;
  let hidden: string;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off'; // tests drive the runner themselves
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    shared = await makeServer('shared-one');
    hidden = await makeServer('hidden-one');
    const { db, t } = getDb();
    await db.insert(t.serverShares).values({ serverId: shared, userId: s.user.id });
    registerTaskHandlers({
      'test.echo': async (ctx) => {
        ctx.addSecret('sup3r-secret-pw');
        for (let i = 1; i <= 20; i++) {
          await ctx.log(`line ${i} pw=sup3r-secret-pw`, 'stdout');
          await ctx.progress(i * 5);
        }
        return { lines: 20 };
      },
      'test.fail': async () => {
        throw new TaskFailure('nginx: [emerg] unexpected "}" in /etc/nginx/x.conf:3');
      },
      'test.crash': async () => {
        throw new Error('ECONNREFUSED 10.1.2.3:22 at Socket.connect');
      },
    });
  });
  afterAll(async () => tdb?.close());

  it('runs a task to success with progress and an ordered, redacted log', async () => {
    const task = await enqueueTask(cliActor, { kind: 'test.echo', serverId: shared });
    expect(task.status).toBe('queued');
    const done = await waitForTask(task.id);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toBe(100);
    expect(done.result).toEqual({ lines: 20 });
    const logs = await api('GET', `/api/v1/tasks/${task.id}/logs`, { token: s.adminToken });
    expect(logs.body.lines.map((l: { seq: number }) => l.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(logs.body.lines[0].text).toBe('line 1 pw=***');
    expect(JSON.stringify(logs.body)).not.toContain('sup3r');
    const after = await api('GET', `/api/v1/tasks/${task.id}/logs?after=18`, { token: s.adminToken });
    expect(after.body.lines.map((l: { seq: number }) => l.seq)).toEqual([19, 20]);
  });

  it('a failing task keeps its own message; a crash is reported generically', async () => {
    const f = await waitForTask((await enqueueTask(cliActor, { kind: 'test.fail' })).id);
    expect(f.status).toBe('failed');
    expect(f.error).toContain('unexpected "}"');
    const c = await waitForTask((await enqueueTask(cliActor, { kind: 'test.crash' })).id);
    expect(c.status).toBe('failed');
    expect(c.error).not.toMatch(/10\.1\.2\.3|ECONNREFUSED/);
  });

  it('a task is claimed once, and one server runs one task at a time', async () => {
    const a = await enqueueTask(cliActor, { kind: 'test.echo', serverId: hidden });
    const b = await enqueueTask(cliActor, { kind: 'test.echo', serverId: hidden });
    const [c1, c2] = await Promise.all([claimNextTask('one', ['test.echo']), claimNextTask('two', ['test.echo'])]);
    expect([c1?.id, c2?.id].filter(Boolean)).toEqual([a.id]);
    expect(await claimNextTask('three', ['test.echo'])).toBeNull(); // b waits for a's server
    // A runner that died leaves a "running" row: it becomes interrupted, never running forever.
    expect(await interruptStaleTasks(0)).toBe(1);
    const { db, t } = getDb();
    expect((await db.select().from(t.tasks).where(eq(t.tasks.id, a.id)))[0].status).toBe('interrupted');
    expect((await claimNextTask('four', ['test.echo']))?.id).toBe(b.id);
    await interruptStaleTasks(0);
  });

  it('users see tasks of shared servers only; others are 404', async () => {
    const mine = await enqueueTask(cliActor, { kind: 'test.echo', serverId: shared });
    const theirs = await enqueueTask(cliActor, { kind: 'test.echo', serverId: hidden });
    await waitForTask(mine.id);
    await waitForTask(theirs.id);
    expect((await api('GET', `/api/v1/tasks/${mine.id}`, { token: s.userToken })).status).toBe(200);
    expect((await api('GET', `/api/v1/tasks/${theirs.id}`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/tasks/${theirs.id}/logs`, { token: s.userToken })).status).toBe(404);
    const list = await api('GET', '/api/v1/tasks?limit=500', { token: s.userToken });
    expect(list.body.items.every((x: { serverId: string }) => x.serverId === shared)).toBe(true);
    expect((await api('GET', '/api/v1/tasks')).status).toBe(401);
  });

  it('SSE: frames with ids, only what the user may see, and Last-Event-ID resume', async () => {
    const controller = new AbortController();
    const { GET } = await import('@/app/api/v1/events/route');
    const open = (token: string, lastId?: number) =>
      GET(
        new Request('http://localhost/api/v1/events', {
          headers: { authorization: `Bearer ${token}`, ...(lastId !== undefined && { 'last-event-id': String(lastId) }) },
          signal: controller.signal,
        }),
        { params: Promise.resolve({}) },
      );
    const res = await open(s.userToken);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const marker = newId();
    setTimeout(async () => {
      await publish({ type: 'server.status', serverId: hidden, data: { serverId: hidden, status: 'down', marker } });
      await publish({ type: 'server.status', serverId: shared, data: { serverId: shared, status: 'up', marker } });
      await publish({ type: 'audit', data: { marker } });
      await publish({ type: 'server.status', serverId: shared, data: { serverId: shared, status: 'down', marker, last: true } });
    }, 50);
    const frames = await readSse(res, (f) => f.some((x) => x.data?.last));
    const events = frames.filter((f) => f.data?.marker === marker);
    expect(events.map((e) => [e.event, e.data.serverId, e.data.status])).toEqual([
      ['server.status', shared, 'up'],
      ['server.status', shared, 'down'],
    ]);
    // Resume after the first: only the second comes back.
    const resumed = await readSse(await open(s.userToken, Number(events[0].id)), (f) => f.some((x) => x.data?.last));
    expect(resumed.filter((f) => f.data?.marker === marker).map((e) => e.data.status)).toEqual(['down']);
    // An admin sees all four.
    const adminFrames = await readSse(await open(s.adminToken, Number(events[0].id) - 3), (f) => f.some((x) => x.data?.last));
    expect(adminFrames.filter((f) => f.data?.marker === marker)).toHaveLength(4);
    controller.abort();
  });

  it('SSE: an event delivered out of id order, or right as the stream opens, still reaches it (issue 18)', async () => {
    const controller = new AbortController();
    const { GET } = await import('@/app/api/v1/events/route');
    const res = await GET(new Request('http://localhost/api/v1/events', { headers: { authorization: `Bearer ${s.adminToken}` }, signal: controller.signal }), {
      params: Promise.resolve({}),
    });
    // The bus delivers at commit: a transaction's event (lower id) can come after a later id
    // published outside it. Emitted at once, before the stream has read anything.
    const emitter = (globalThis as unknown as { __gatehouseBus: { emitter: import('node:events').EventEmitter } }).__gatehouseBus.emitter;
    const marker = newId();
    const base = 1_000_000_000;
    const event = (id: number, extra: Record<string, unknown> = {}) => ({ id, at: new Date().toISOString(), type: 'task.updated', data: { marker, ...extra }, serverId: null, userId: null, everyone: true });
    emitter.emit('event', event(base + 2));
    emitter.emit('event', event(base + 1));
    emitter.emit('event', event(base + 1)); // a repeat is dropped
    setTimeout(() => {
      emitter.emit('event', event(base + 4));
      emitter.emit('event', event(base + 3, { last: true }));
    }, 50);
    // Put back in id order by the stream (lib/events/sse.ts), so "last" need not come last.
    const frames = await readSse(res, (f) => f.filter((x) => x.data?.marker === marker).length >= 4);
    const got = frames.filter((f) => f.data?.marker === marker).map((f) => Number(f.id) - base);
    expect(got.toSorted((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    controller.abort();
  });
});

describe.each(dialects)('task retention on %s', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await openTestDb(dialect);
  });
  afterAll(async () => tdb?.close());

  it('prunes finished tasks past their retention, with their logs, and never unfinished ones', async () => {
    const { pruneTasks } = await import('@/lib/tasks/store');
    const old = await waitForTask((await enqueueTask(cliActor, { kind: 'test.echo' })).id);
    const queued = await enqueueTask(cliActor, { kind: 'test.unknown-kind' });
    const { db, t } = getDb();
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await db.update(t.tasks).set({ finishedAt: longAgo, createdAt: longAgo }).where(eq(t.tasks.id, old.id));
    expect(await pruneTasks(30)).toBe(1);
    expect(await db.select().from(t.tasks).where(eq(t.tasks.id, old.id))).toHaveLength(0);
    expect(await db.select().from(t.taskLogs).where(eq(t.taskLogs.taskId, old.id))).toHaveLength(0);
    expect(await db.select().from(t.tasks).where(eq(t.tasks.id, queued.id))).toHaveLength(1);
  });
});
