/**
 * Graceful shutdown of a real `npm start` (CONTRACT.md "Process and instances"), on each dialect
 * of GATEHOUSE_TEST_DIALECTS, against a real sshd + nginx whose `nginx -t` the test holds at a
 * gate so the deploy is surely running when SIGTERM arrives:
 *   1. SIGTERM mid-deploy, the deploy finishes within the grace period: it ends `succeeded`.
 *   2. SIGTERM mid-deploy, held past the 20 s grace: it ends `interrupted` (by the shutdown
 *      itself, not by the next start's recovery).
 * Each time: while draining the API answers 503 `unavailable` with Retry-After (health too), the
 * process exits 0 within 30 s, after a restart the task is final (never `running`), the server's
 * Nginx passes `nginx -t`, and the next deploy succeeds and serves traffic.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmStart, type NpmApp } from '../support/npm-start';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { requirePostgres, createTestPostgresDatabase, type TestPostgresDatabase } from '../support/postgres';
import { httpRequest, waitFor } from '../support/wait';

const root = path.resolve(import.meta.dirname, '../..');
const dialects = (process.env.GATEHOUSE_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter((d) => d === 'sqlite' || d === 'postgres');
const enabled = requireBinary('sshd', 'ssh-keygen', 'nginx');
const pgOk = !dialects.includes('postgres') || (await requirePostgres());
const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };
// What lib/tasks/runner.ts writes on a task that shutdown gave up on.
const SHUTDOWN_INTERRUPTED = 'Gatehouse shut down before this task finished; run it again.';

describe.skipIf(!enabled || !pgOk).each(dialects)('graceful shutdown of npm start on %s', (dialect) => {
  let dataDir: string;
  let pg: TestPostgresDatabase | undefined;
  let env: Record<string, string>;
  let port: number;
  let app: NpmApp | undefined;
  let token: string;
  let sshd: SshdInstance;
  let nginx: NginxInstance;
  let upstream: HttpUpstream;
  let managedDir: string;
  let httpPort: number;
  let serverId: string;
  const fqdn = `shutdown-${dialect}.gatehouse.test`;
  const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-gate-'));

  const call = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${app!.url}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
  };
  const start = async () => {
    app = await npmStart(port, env);
  };
  /** The task once final, or null. */
  const finalTask = async (id: string) => {
    const r = await call('GET', `/tasks/${id}`);
    return r.status === 200 && !['queued', 'running'].includes(r.body.status) ? r.body : null;
  };
  const taskLog = async (id: string) => ((await call('GET', `/tasks/${id}/logs`)).body?.lines ?? []).map((l: { text: string }) => l.text).join('\n');
  const servesTraffic = async () => {
    const r = await httpRequest(`http://${fqdn}/`, { connectTo: { host: '127.0.0.1', port: httpPort } }).catch(() => null);
    return r?.status === 200 && JSON.parse(r.body).upstream === `app-${dialect}`;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-shutdown-'));
    port = await freePort();
    let databaseUrl = `file:${path.join(dataDir, 'gatehouse.db')}`;
    if (dialect === 'postgres') {
      pg = await createTestPostgresDatabase();
      databaseUrl = pg.url;
    }
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: crypto.randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
      AUTH_URL: `http://127.0.0.1:${port}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SCHEDULER: 'on',
    };
    await start();
    // An API token through the CLI, against the same database while the app runs.
    const cli = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', 'tokens', 'create', '--email', ADMIN.email, '--name', 'shutdown-test'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    token = cli.stdout.trim().split('\n').at(-1)!.trim();

    // The deploy target: `nginx -t`, when armed, says it is there, then waits for the gate to open.
    managedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-managed-'));
    fs.chmodSync(managedDir, 0o755);
    fs.mkdirSync(path.join(managedDir, 'domains'));
    fs.writeFileSync(path.join(managedDir, 'upstreams.conf'), '# Managed by Gatehouse.\n');
    fs.writeFileSync(path.join(managedDir, 'http.conf'), `include ${managedDir}/upstreams.conf;\ninclude ${managedDir}/domains/*.conf;\n`);
    sshd = await startSshd({ users: [{ name: 'root' }] });
    nginx = await startNginx({ files: { 'gatehouse.conf': `include ${managedDir}/http.conf;\n` } });
    const gated = path.join(gate, 'nginx');
    fs.writeFileSync(gated, `#!/bin/sh\nif [ "$1" = "-t" ] && [ -e ${gate}/armed ]; then\n  rm -f ${gate}/armed; touch ${gate}/reached\n  while [ ! -e ${gate}/open ]; do sleep 0.05; done\n  rm -f ${gate}/open\nfi\nexec ${nginx.wrapper} "$@"\n`, { mode: 0o755 });
    upstream = await startHttpUpstream({ name: `app-${dialect}` });
    httpPort = await freePort();
    const srv = await call('POST', '/servers', {
      name: 'edge-1', host: '127.0.0.1', sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false,
      nginxLayout: { managedDir, mainConfig: nginx.confFile, command: gated, pidFile: nginx.pidFile, httpPort, httpsPort: await freePort() },
    });
    expect(srv.status, JSON.stringify(srv.body)).toBe(201);
    serverId = srv.body.id;
    const pool = await call('POST', '/upstreams', { name: 'pool-1', targets: [{ host: '127.0.0.1', port: upstream.port }] });
    expect(pool.status, JSON.stringify(pool.body)).toBe(201);
    const domain = await call('POST', '/domains', { fqdn, serverId, upstreamId: pool.body.id });
    expect(domain.status, JSON.stringify(domain.body)).toBe(201);
  });
  afterAll(async () => {
    if (app) {
      app.signal('SIGTERM');
      await Promise.race([app.exited, new Promise((r) => setTimeout(r, 30_000))]);
      app.kill();
    }
    fs.writeFileSync(path.join(gate, 'open'), '');
    await upstream?.stop();
    await nginx?.stop();
    await sshd?.stop();
    await pg?.drop();
    for (const d of [dataDir, managedDir, gate]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  /**
   * Follows GET /events. `ended` says how the stream ended: `clean` when the server closed it
   * (shutdown's streams phase), else the error (a socket dropped by a dying process).
   */
  const followEvents = async () => {
    const res = await fetch(`${app!.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const ended = (async () => {
      try {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) return 'clean';
          text += decoder.decode(chunk.value, { stream: true });
        }
      } catch (err) {
        return `error: ${(err as Error).message}`;
      }
    })();
    await waitFor(() => text.includes(': connected'), { description: 'the event stream to open' });
    return { text: () => text, ended };
  };

  /** Arms the gate, queues a deploy, resolves with its id once its `nginx -t` waits at the gate. */
  const deployToGate = async (change: string) => {
    // Something to upload, test and reload.
    const d = (await call('GET', '/domains')).body.items.find((x: { fqdn: string }) => x.fqdn === fqdn);
    expect((await call('PATCH', `/domains/${d.id}`, { clientMaxBodySize: change })).status).toBe(200);
    fs.writeFileSync(path.join(gate, 'armed'), '');
    const res = await call('POST', `/servers/${serverId}/deploy`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitFor(() => fs.existsSync(path.join(gate, 'reached')), { timeoutMs: 60_000, description: 'the deploy at nginx -t' });
    fs.rmSync(path.join(gate, 'reached'));
    return res.body.taskId as string;
  };

  /**
   * SIGTERM to npm; checks the drain answers; `whileDraining` runs then; resolves with the exit.
   * An event stream opened before the signal must be ended by the server before the process exits.
   */
  const terminate = async (whileDraining: () => void) => {
    const events = await followEvents();
    const order: string[] = [];
    void events.ended.then((how) => order.push(`stream ${how}`));
    void app!.exited.then(() => order.push('exited'));
    const sent = Date.now();
    app!.signal('SIGTERM');
    const refused = await waitFor(
      async () => {
        const r = await call('GET', '/servers');
        return r.status === 503 ? r : null;
      },
      { timeoutMs: 10_000, description: 'the API to refuse requests while draining' },
    );
    expect(refused.body.error.code).toBe('unavailable');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const health = await fetch(`${app!.url}/api/v1/health`);
    expect(health.status).toBe(503);
    // A write is refused too, and changes nothing.
    expect((await call('POST', '/upstreams', { name: 'during-drain', targets: [{ host: '127.0.0.1', port: 1 }] })).status).toBe(503);
    whileDraining();
    // The contract's bound: exit within 30 s of the signal.
    const exit = await Promise.race([app!.exited, new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, sent + 30_000 - Date.now())))]);
    const logs = app!.logs();
    if (!exit) app!.kill();
    expect(exit, `still running 30 s after SIGTERM:\n${logs.slice(-3000)}`).not.toBeNull();
    expect(exit, logs.slice(-3000)).toEqual({ code: 0, signal: null });
    await events.ended;
    expect(order).toEqual(['stream clean', 'exited']);
    app = undefined;
    console.log(`exit ${exit!.code} ${((Date.now() - sent) / 1000).toFixed(1)} s after SIGTERM; the app's last lines:\n${logs.split('\n').filter((l) => l.includes('[gatehouse]')).slice(-6).join('\n')}`);
    return { logs, events: events.text() };
  };

  const afterRestart = async (taskId: string) => {
    await start();
    const task = await waitFor(() => finalTask(taskId), { timeoutMs: 10_000, description: `task ${taskId} final after restart` });
    const nginxTest = await nginx.test();
    expect(nginxTest.ok, nginxTest.output).toBe(true);
    return task;
  };

  const nextDeploySucceeds = async () => {
    const res = await call('POST', `/servers/${serverId}/deploy`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const task = await waitFor(() => finalTask(res.body.taskId), { timeoutMs: 120_000, description: 'the next deploy' });
    expect(task.status, `${task.error}\n${await taskLog(res.body.taskId)}`).toBe('succeeded');
    expect(await (await nginx.test()).ok).toBe(true);
    await waitFor(servesTraffic, { timeoutMs: 10_000, description: `${fqdn} served through nginx` });
  };

  it('SIGTERM mid-deploy, the deploy finishes within the grace period: succeeded, exit 0, nothing left running', async () => {
    const taskId = await deployToGate('8m');
    const { logs, events } = await terminate(() => fs.writeFileSync(path.join(gate, 'open'), ''));
    // The stream stayed open while draining and carried the deploy's end.
    expect(events).toMatch(new RegExp(`"taskId":"${taskId}","status":"succeeded"`));
    expect(logs).toContain('[gatehouse] shutting down (SIGTERM)');
    expect(logs).toContain('[gatehouse] shutdown complete');
    expect(logs).not.toContain('interrupted by shutdown');
    const task = await afterRestart(taskId);
    expect(task.status, `${task.error}\n${await taskLog(taskId)}`).toBe('succeeded');
    await nextDeploySucceeds();
  });

  it('SIGTERM mid-deploy, held past the 20 s grace: interrupted by the shutdown, exit 0 within 30 s, the next deploy succeeds', async () => {
    const taskId = await deployToGate('16m');
    const { logs, events } = await terminate(() => {});
    expect(events).toMatch(new RegExp(`"taskId":"${taskId}","status":"interrupted"`));
    expect(logs).toContain(`interrupted by shutdown`);
    expect(logs).toContain('[gatehouse] shutdown complete');
    // The held `nginx -t` on the server may go on once the gate opens; the server must still be sound.
    fs.writeFileSync(path.join(gate, 'open'), '');
    const task = await afterRestart(taskId);
    expect(task.status).toBe('interrupted');
    expect(task.error).toBe(SHUTDOWN_INTERRUPTED);
    expect(await taskLog(taskId)).toContain(`Interrupted: ${SHUTDOWN_INTERRUPTED}`);
    // Nothing else was left running either.
    expect((await call('GET', '/tasks?status=running')).body.items).toEqual([]);
    await nextDeploySucceeds();
  });
});
