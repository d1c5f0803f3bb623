import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { subscribe, busReady, type GatehouseEvent } from '@/lib/events/bus';
import { serverTaskHandlers } from '@/lib/servers/tasks';
import { registerTaskHandlers } from '@/lib/tasks/runner';

/**
 * With the in-process runner on (as in the app): a task started through the API runs by itself
 * and its progress and log lines reach event subscribers (the SSE stream) live and in order.
 */
describe.each(dialects)('a server task, live, on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  const previous = process.env.GATEHOUSE_TASK_RUNNER;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'on';
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    registerTaskHandlers(serverTaskHandlers);
  });
  afterAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = previous;
    await tdb?.close();
  });

  it('delivers task.updated and task.log events as the task runs', async () => {
    const port = await freePort(); // nothing listens: the test fails fast, after logging
    const created = await api('POST', '/api/v1/servers', {
      token: s.adminToken,
      body: { name: `live-${dialect}`, host: '127.0.0.1', sshPort: port, authMethod: 'password', password: 'pw-live-1234' },
    });
    const events: GatehouseEvent[] = [];
    const stop = subscribe((e) => events.push(e));
    await busReady();
    try {
      const r = await api('POST', `/api/v1/servers/${created.body.id}/test`, { token: s.adminToken });
      expect(r.status).toBe(202);
      const mine = () => events.filter((e) => e.data.taskId === r.body.taskId);
      await waitFor(() => mine().some((e) => e.type === 'task.updated' && e.data.status === 'failed'), { timeoutMs: 30_000, description: 'the task to fail' });
      const logs = mine().filter((e) => e.type === 'task.log');
      expect(logs.map((e) => e.data.seq)).toEqual(logs.map((_, i) => i + 1));
      expect(logs[0].data.text).toMatch(/^Connecting to root@127\.0\.0\.1:\d+ over SSH/);
      expect(logs.some((e) => String(e.data.text).includes('refused the connection'))).toBe(true);
      expect(mine().filter((e) => e.type === 'task.updated').map((e) => e.data.status)).toEqual(['queued', 'running', 'failed']);
    } finally {
      stop();
    }
  });
});
