/**
 * Fault: PostgreSQL restarts in the middle of a deploy, while the server's `nginx -t` runs (held
 * at a gate in the Nginx command over real SSH to a real sshd + nginx). A private PostgreSQL
 * (own data dir and port) is used, never the shared server. What must still hold, with no
 * restart of Gatehouse: the deploy task ends in a final state, succeeded, or failed with a plain
 * message, never left "running"; its final state is published once; a deploy afterwards
 * succeeds and the domain serves traffic; no event id is stored twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { requirePrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/postgres';
import { requireBinary } from '../support/process';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { seededRandom } from '../support/seed';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { waitFor } from '../support/wait';
import { getDb } from '@/lib/db';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { pollTasks, registerTaskHandlers } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

const runs = dialects.includes('postgres') && requireBinary('nginx', 'sshd', 'ssh-keygen') && requirePrivatePostgres();

describe.skipIf(!runs)('fault: PostgreSQL restarts (private instance, pg_ctl -m fast) while a deploy runs nginx -t on the server', () => {
  const rng = seededRandom('fault-postgres-restart-deploy', 3141);
  let pg: PrivatePostgres;
  let tdb: TestDb;
  let token: string;
  let target: DeployTarget;
  let upstream: HttpUpstream;
  let domainId: string;
  const fqdn = `fault-${rng.int(100, 999)}.gatehouse.test`;
  const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-gate-'));

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    pg = await startPrivatePostgres();
    tdb = await openTestDb('postgres', {}, { postgresAdminUrl: pg.adminUrl });
    token = (await seedUsers()).adminToken;
    registerTaskHandlers(proxyTaskHandlers);
    // `nginx -t`, when armed: says it is there, then waits for the test to open the gate.
    const gated = (wrapper: string) => {
      const script = path.join(gate, 'nginx');
      fs.writeFileSync(script, `#!/bin/sh\nif [ "$1" = "-t" ] && [ -e ${gate}/armed ]; then\n  rm -f ${gate}/armed; touch ${gate}/reached\n  while [ ! -e ${gate}/open ]; do sleep 0.05; done\n  rm -f ${gate}/open\nfi\nexec ${wrapper} "$@"\n`, { mode: 0o755 });
      return script;
    };
    target = await startDeployTarget(token, 'pg-fault', { command: gated });
    upstream = await startHttpUpstream({ name: 'app' });
    const pool = await api('POST', '/api/v1/upstreams', { token, body: { name: 'pool-fault', targets: [{ host: '127.0.0.1', port: upstream.port }] } });
    expect(pool.status, JSON.stringify(pool.body)).toBe(201);
    const domain = await api('POST', '/api/v1/domains', { token, body: { fqdn, serverId: target.serverId, upstreamId: pool.body.id } });
    expect(domain.status, JSON.stringify(domain.body)).toBe(201);
    domainId = domain.body.id;
  });
  afterAll(async () => {
    await upstream?.stop();
    await target?.stop();
    await tdb?.close();
    await pg?.destroy();
    fs.rmSync(gate, { recursive: true, force: true });
  });

  /** Queues a deploy and starts it; resolves when its `nginx -t` waits at the gate. */
  const deployToGate = async () => {
    fs.writeFileSync(path.join(gate, 'armed'), '');
    const res = await api('POST', `/api/v1/servers/${target.serverId}/deploy`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await pollTasks();
    await waitFor(() => fs.existsSync(path.join(gate, 'reached')), { timeoutMs: 60_000, description: 'the deploy at nginx -t' });
    fs.rmSync(path.join(gate, 'reached'));
    return res.body.taskId as string;
  };
  const openGate = () => fs.writeFileSync(path.join(gate, 'open'), '');
  /** The task's row once it is final; the database may still be coming back, so errors mean "not yet". */
  const finalState = (taskId: string) =>
    waitFor(async () => {
      const { db, t } = getDb();
      const [row] = await db.select().from(t.tasks).where(eq(t.tasks.id, taskId));
      return row && !['queued', 'running'].includes(row.status) ? row : null;
    }, { timeoutMs: 60_000, intervalMs: 100, description: `task ${taskId} in a final state` });
  const finalEvents = async (taskId: string) => {
    const { db, t } = getDb();
    const rows = await db.select({ data: t.events.data }).from(t.events).where(sql`${t.events.type} = 'task.updated'`);
    return rows.filter((r) => r.data.taskId === taskId && ['succeeded', 'failed', 'interrupted'].includes(r.data.status as string)).map((r) => r.data.status);
  };
  const servesTraffic = async () => {
    const r = await target.request(fqdn);
    return r.status === 200 && JSON.parse(r.body).upstream === 'app';
  };

  it('restarted while nginx -t runs: the deploy carries on over new connections and succeeds', async () => {
    const taskId = await deployToGate();
    await pg.restart();
    openGate();
    const task = await finalState(taskId);
    expect(task.status, `${task.error}\n${await taskLog(token, taskId)}`).toBe('succeeded');
    expect(await finalEvents(taskId)).toEqual(['succeeded']);
    expect(await servesTraffic()).toBe(true);
  });

  it('stopped while nginx -t runs, started once the deploy has noticed: the task fails with a plain message (never stuck running), and the next deploy succeeds', async () => {
    // Change something so the deploy has a file to upload, test and reload.
    const patch = await api('PATCH', `/api/v1/domains/${domainId}`, { token, body: { clientMaxBodySize: `${rng.int(2, 64)}m` } });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    let taskId: string;
    try {
      taskId = await deployToGate();
      await pg.stop();
      openGate();
      // The runner logs the task's end (whatever it makes of it) as soon as a database write fails.
      await waitFor(() => errors.some((e) => e.includes(taskId)), { timeoutMs: 60_000, description: 'the deploy noticing the database is gone' });
      await pg.start();
      const task = await finalState(taskId);
      expect(task.status).toBe('failed');
      expect(task.error).toBe('The database became unavailable while this task ran, so it stopped without recording all of its steps. Run it again once the database is back.');
    } finally {
      spy.mockRestore();
    }
    expect(errors.filter((e) => /crashed|unhandled/.test(e))).toEqual([]);
    expect(await finalEvents(taskId)).toEqual(['failed']);

    // Nginx took the (valid) new files before the database went away; a new deploy records them.
    const again = await api('POST', `/api/v1/servers/${target.serverId}/deploy`, { token });
    expect(again.status).toBe(202);
    await pollTasks();
    const task = await finalState(again.body.taskId);
    expect(task.status, `${task.error}\n${await taskLog(token, again.body.taskId)}`).toBe('succeeded');
    const d = await api('GET', `/api/v1/domains/${domainId}`, { token });
    expect(d.body.status).toBe('deployed');
    expect(await servesTraffic()).toBe(true);

    const { db, t } = getDb();
    const [ids] = await db.select({ all: sql<number>`count(*)`, distinct: sql<number>`count(distinct ${t.events.id})` }).from(t.events);
    expect(Number(ids!.distinct)).toBe(Number(ids!.all));
    const [running] = await db.select({ n: sql<number>`count(*)` }).from(t.tasks).where(eq(t.tasks.status, 'running'));
    expect(Number(running!.n)).toBe(0);
  });
});
