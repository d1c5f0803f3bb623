/**
 * Fault: the Gatehouse process is killed with SIGKILL in the middle of a deploy, 20 times (SQLite).
 *
 * What breaks: a separate Gatehouse process (tests/support/task-process.ts: the real task runner
 * and deploy code over its own SSH connection to a real sshd + nginx) runs a whole-server deploy
 * that moves every domain from one upstream pool to the other (each domain file and upstreams.conf
 * change), and the test sends it SIGKILL. When, picked per run from the seed:
 *   - upload:k       after the k-th file reached the staging directory (the rest never sent);
 *   - before-test    the apply script has swapped the files in and is about to run `nginx -t`;
 *   - after-test     `nginx -t` passed, the reload has not started;
 *   - reload+Nms     N ms after `nginx -t` returned: during the reload and the wait for workers;
 *   - random f       at a seeded fraction f of a measured deploy: anywhere from the claim to the
 *                    apply script's answer (the process holds there, so the kill is never late);
 * (before-test, after-test and reload hold the server's Nginx command at a gate; the process is
 * killed while it waits there, then the gate opens and the orphaned apply script runs on alone).
 *
 * What must hold after each kill, once nothing of that deploy runs on the server any more:
 *   - `nginx -t` passes on the server;
 *   - the managed files are byte for byte either the last good set or the new one, never a mix;
 *   - every domain answers through Nginx from one and the same pool, the one those files name
 *     (Nginx serves what is on disk: the new files were reloaded, or the old ones are back);
 *   - after recovery (the registry's start-up hooks, as a restarted instance runs them) the task
 *     is `interrupted`;
 *   - the next deploy succeeds and every domain answers from the new pool; no staging directory
 *     of the killed deploy is left (the apply script removes its own; one left by a kill before
 *     it, the next deploy removes once it is an hour old: the test ages it).
 * SQLite: 20 runs logged in as root and 5 as a sudo user; start-up recovery marks every running
 * task at once (one instance). PostgreSQL: 2 runs; there other instances may be alive, so the killed task counts as abandoned once its
 * heartbeat is a minute old, and the scheduler's stale-task job marks it (each run waits for that).
 * SQLite also checks the lock: a deploy started while the orphaned apply script still holds its
 * `nginx -t` waits for it (a `flock` on the managed directory's lock file), then succeeds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { childPids, registerCleanup, requireBinary } from '../support/process';
import { seededRandom } from '../support/seed';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { waitFor } from '../support/wait';
import { getDb } from '@/lib/db';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { jobs, startupHooks } from '@/lib/registry';
import { LOCK_FILE } from '@/lib/proxy/remote-scripts';
import { registerTaskHandlers } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

/**
 * Root logins on each dialect; a sudo login (the apply script under `sudo -n`) on SQLite. On
 * PostgreSQL each run waits a minute for the killed runner's heartbeat to go stale.
 */
const CASES = [
  ...dialects.map((dialect) => ({ dialect, login: 'root', runs: dialect === 'sqlite' ? 20 : 2, seed: dialect === 'sqlite' ? 2718 : 2719 })),
  ...(dialects.includes('sqlite') ? [{ dialect: 'sqlite' as const, login: 'sudo', runs: 5, seed: 2720 }] : []),
];
const DOMAINS = 4;
const root = path.resolve(__dirname, '../..');

type Point = 'upload' | 'before-test' | 'after-test' | 'reload' | 'random';
const POINTS: Point[] = ['upload', 'before-test', 'after-test', 'reload', 'random'];

/** The managed files (what Nginx includes), path → sha256. */
function snapshot(managedDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (rel: string) => (out[rel] = crypto.createHash('sha256').update(fs.readFileSync(path.join(managedDir, rel))).digest('hex'));
  add('upstreams.conf');
  for (const f of fs.readdirSync(path.join(managedDir, 'domains')).sort()) add(`domains/${f}`);
  return out;
}

const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(a) === JSON.stringify(b);

/** PIDs of processes whose command line mentions the apply script for this managed directory. */
function applyProcesses(managedDir: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('gh-apply') && argv.includes(managedDir)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** PIDs of `flock` processes waiting on (or holding) the managed directory's lock file. */
function lockWaiters(managedDir: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0] ?? '') === 'flock' && argv.includes(LOCK_FILE) && fs.readlinkSync(`/proc/${entry}/cwd`) === managedDir) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * A Gatehouse process running one task; `lines` collects its GH- milestones. Node itself with
 * tsx as a loader, not the tsx CLI: that one runs the script in a child process, which SIGKILL to
 * the CLI would leave running.
 */
function startTaskProcess(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'tests/support/task-process.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = registerCleanup({ kind: 'kill', pid: child.pid!, group: false, signal: 'SIGKILL' });
  const lines: string[] = [];
  let stderr = '';
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts.filter((l) => l.startsWith('GH-')));
  });
  child.stderr!.on('data', (b: Buffer) => void (stderr = (stderr + b.toString('utf8')).slice(-8000)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), unregister(), resolve())));
  return {
    lines,
    get exited() {
      return exited;
    },
    stderr: () => stderr,
    abortIfDead() {
      if (exited) throw new Error(`the Gatehouse process exited early:\n${lines.join('\n')}\n${stderr}`);
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    exit,
  };
}

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen'))('fault: Gatehouse killed with SIGKILL during a deploy (separate process, real sshd + nginx)', () => {
  describe.each(CASES)('on $dialect, logged in as $login', ({ dialect, login, runs: RUNS, seed }) => {
    const name = `fault-deploy-sigkill-${dialect}-${login}`;
    const rng = seededRandom(name, seed);
    const encryptionKey = crypto.randomBytes(32).toString('base64');
    const authSecret = crypto.randomBytes(32).toString('base64url');
    const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-gate-'));
    let tdb: TestDb;
    let token: string;
    let target: DeployTarget;
    const pools: Record<string, { id: string; upstream: HttpUpstream }> = {};
    const domains: { id: string; fqdn: string }[] = [];
    let color = 'blue';
    /** How long a whole deploy took in the child, from GH-RUNNING to GH-DONE (spreads the random kills). */
    let deployMs = 1000;

    const childEnv = () => ({ DATABASE_URL: tdb.url, DATA_DIR: tdb.dataDir, ENCRYPTION_KEY: encryptionKey, AUTH_SECRET: authSecret, SCHEDULER: 'off' });
    const answers = async () => {
      const out: string[] = [];
      for (const d of domains) {
        const r = await target.request(d.fqdn);
        out.push(r.status === 200 ? (JSON.parse(r.body).upstream as string) : `status ${r.status}`);
      }
      return out;
    };
    const moveAllTo = async (c: string) => {
      for (const d of domains) {
        const r = await api('PATCH', `/api/v1/domains/${d.id}`, { token, body: { upstreamId: pools[c]!.id } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
    };
    const enqueue = async () => {
      const r = await api('POST', `/api/v1/servers/${target.serverId}/deploy`, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.taskId as string;
    };
    const taskRow = async (id: string) => {
      const { db, t } = getDb();
      const [row] = await db.select().from(t.tasks).where(eq(t.tasks.id, id));
      return row!;
    };
    /**
     * What a restarted Gatehouse does: its start-up hooks; on PostgreSQL (other instances may be
     * alive) a running task counts as abandoned only once its heartbeat is a minute old, so the
     * scheduler's stale-task job runs until it has marked it.
     */
    const recover = async (taskId: string) => {
      for (const hook of startupHooks) await hook();
      if (dialect === 'postgres') {
        const job = jobs.find((j) => j.name === 'tasks.interrupt-stale')!;
        await waitFor(async () => (await job.run(), (await taskRow(taskId)).status !== 'running'), { timeoutMs: 180_000, intervalMs: 2_000, description: 'the stale-task job marking the task' });
      }
    };
    const clearGate = () => {
      for (const f of fs.readdirSync(gate)) if (f !== 'nginx') fs.rmSync(path.join(gate, f), { force: true });
    };

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect, { ENCRYPTION_KEY: encryptionKey, AUTH_SECRET: authSecret });
      token = (await seedUsers()).adminToken;
      registerTaskHandlers(proxyTaskHandlers);
      // The Nginx command, with two gates around `nginx -t` the test can arm: "before" holds the
      // apply script once it has swapped the files in, "after" once `nginx -t` has passed.
      const gated = (wrapper: string) => {
        const script = path.join(gate, 'nginx');
        const hold = `touch ${gate}/reached; while [ ! -e ${gate}/open ]; do sleep 0.02; done; rm -f ${gate}/open`;
        fs.writeFileSync(
          script,
          `#!/bin/sh\n` +
            `if [ "$1" = "-t" ] && [ -e ${gate}/armed-before ]; then rm -f ${gate}/armed-before; ${hold}; fi\n` +
            `if [ "$1" = "-t" ] && [ -e ${gate}/armed-after ]; then rm -f ${gate}/armed-after; ${wrapper} "$@"; rc=$?; ${hold}; exit $rc; fi\n` +
            `exec ${wrapper} "$@"\n`,
          { mode: 0o755 },
        );
        return script;
      };
      target = await startDeployTarget(token, 'sigkill-fault', { command: gated, sudo: login === 'sudo' });
      for (const c of ['blue', 'green']) {
        const upstream = await startHttpUpstream({ name: c });
        const r = await api('POST', '/api/v1/upstreams', { token, body: { name: `pool-${c}`, targets: [{ host: '127.0.0.1', port: upstream.port }] } });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        pools[c] = { id: r.body.id, upstream };
      }
      for (let i = 0; i < DOMAINS; i++) {
        const fqdn = `kill-${i}-${rng.int(100, 999)}.gatehouse.test`;
        const r = await api('POST', '/api/v1/domains', { token, body: { fqdn, serverId: target.serverId, upstreamId: pools.blue!.id } });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        domains.push({ id: r.body.id, fqdn });
      }
      // The first deploy, in a child that is not stopped: the last good state, and a measure of
      // how long a deploy takes in a separate process.
      const taskId = await enqueue();
      const child = startTaskProcess({ ...childEnv(), TASK_ID: taskId, FAULT_PAUSE: 'none' });
      await waitFor(() => child.lines.includes('GH-RUNNING'), { timeoutMs: 60_000, abortIf: () => child.abortIfDead(), description: 'the Gatehouse process starting' });
      const started = performance.now();
      await waitFor(() => child.lines.some((l) => l.startsWith('GH-DONE')), { timeoutMs: 60_000, abortIf: () => child.abortIfDead(), description: 'the first deploy' });
      deployMs = Math.max(100, performance.now() - started);
      await child.exit;
      const first = await taskRow(taskId);
      expect(first.status, `${first.error}\n${await taskLog(token, taskId)}`).toBe('succeeded');
      expect(await answers()).toEqual(domains.map(() => 'blue'));
    });
    afterAll(async () => {
      // Whatever staging directory of this test's domains is left (a kill between mktemp and the
      // child's report of it) is an artifact of the test: removed here.
      for (const n of fs.readdirSync('/tmp').filter((x) => x.startsWith('gatehouse-deploy.'))) {
        const d = path.join('/tmp', n);
        if (domains.some((x) => fs.existsSync(path.join(d, 'files/domains', `${x.fqdn}.conf`)))) fs.rmSync(d, { recursive: true, force: true });
      }
      for (const p of Object.values(pools)) await p.upstream.stop();
      await target?.stop();
      await tdb?.close();
      fs.rmSync(gate, { recursive: true, force: true });
    });

    it(`${RUNS} kills at seeded points: Nginx keeps a whole config, the task is interrupted, the next deploy succeeds`, async () => {
      // Every point several times, in a seeded order.
      const plan = Array.from({ length: RUNS }, (_, i) => POINTS[i % POINTS.length]!);
      for (let i = plan.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [plan[i], plan[j]] = [plan[j]!, plan[i]!];
      }
      const outcomes: string[] = [];
      for (const [run, point] of plan.entries()) {
        const before = snapshot(target.managedDir);
        const was = color;
        color = color === 'blue' ? 'green' : 'blue';
        await moveAllTo(color);
        const taskId = await enqueue();
        const k = rng.int(1, DOMAINS);
        const delayMs = rng.int(0, 40);
        const fraction = rng.next();
        const label =
          point === 'upload' ? `upload:${k}` : point === 'reload' ? `reload+${delayMs}ms` : point === 'random' ? `random ${fraction.toFixed(2)} of ${Math.round(deployMs)} ms` : point;
        const where = `run ${run + 1}/${RUNS} (seed ${rng.seed}), killed at ${label}`;
        if (point === 'before-test') fs.writeFileSync(path.join(gate, 'armed-before'), '');
        if (point === 'after-test' || point === 'reload') fs.writeFileSync(path.join(gate, 'armed-after'), '');
        const sshdBefore = new Set(childPids(target.sshd.pid));

        const child = startTaskProcess({ ...childEnv(), TASK_ID: taskId, FAULT_PAUSE: point === 'upload' ? `upload:${k}` : 'applied' });
        const wait = { timeoutMs: 60_000, intervalMs: 5, abortIf: () => child.abortIfDead() };
        await waitFor(() => child.lines.includes('GH-RUNNING'), { ...wait, description: `${where}: the Gatehouse process starting` });
        if (point === 'upload') {
          await waitFor(() => child.lines.includes(`GH-PAUSED upload:${k}`), { ...wait, description: `${where}: the upload` });
        } else if (point === 'random') {
          const at = performance.now() + fraction * deployMs;
          await waitFor(() => performance.now() >= at || child.lines.some((l) => l.startsWith('GH-PAUSED')), { ...wait, intervalMs: 1, description: `${where}: the moment` });
        } else {
          await waitFor(() => fs.existsSync(path.join(gate, 'reached')), { ...wait, description: `${where}: the apply script at the gate` });
          if (point === 'reload') {
            fs.writeFileSync(path.join(gate, 'open'), '');
            const at = performance.now() + delayMs;
            await waitFor(() => performance.now() >= at, { ...wait, intervalMs: 1, description: `${where}: the moment` });
          }
        }
        await child.kill();
        const reached = child.lines.filter((l) => l.startsWith('GH-PAUSED')).join(', ') || 'no pause point';

        // The orphaned apply script (if one started) runs on: let it through its gate and wait
        // until nothing of this deploy runs on the server any more.
        if (fs.existsSync(path.join(gate, 'reached'))) fs.writeFileSync(path.join(gate, 'open'), '');
        await waitFor(() => childPids(target.sshd.pid).every((p) => sshdBefore.has(p)), { timeoutMs: 60_000, description: `${where}: sshd ending the killed process's connection` });
        await waitFor(() => applyProcesses(target.managedDir).length === 0, { timeoutMs: 60_000, description: `${where}: the orphaned apply script finishing` });
        clearGate();

        await recover(taskId);
        const row = await taskRow(taskId);
        expect(row.status, `${where} (${reached}): ${row.error}\n${await taskLog(token, taskId)}`).toBe('interrupted');

        const nginxTest = await target.nginx.test();
        expect(nginxTest.ok, `${where}: nginx -t on the server\n${nginxTest.output}`).toBe(true);
        const left = snapshot(target.managedDir);
        const unchanged = same(left, before);
        // Nginx serves what is on disk: the old files still (or back), or the new ones reloaded.
        expect(await answers(), `${where} (${reached}): Nginx serves the ${unchanged ? 'old files on disk' : 'changed files on disk'}`).toEqual(domains.map(() => (unchanged ? was : color)));

        // A staging directory is left only when the kill came before the apply script (which
        // removes its own); the next deploy removes it once it is an hour old (aged here).
        const staging = child.lines.find((l) => l.startsWith('GH-STAGING '))?.slice('GH-STAGING '.length);
        if (staging && fs.existsSync(staging)) {
          const hoursAgo = new Date(Date.now() - 2 * 3600_000);
          fs.utimesSync(staging, hoursAgo, hoursAgo);
        }

        const again = await target.deploy();
        expect(again.status, `${where}: the next deploy\n${again.error}\n${await taskLog(token, again.id)}`).toBe('succeeded');
        if (staging) expect(fs.existsSync(staging), `${where}: the killed deploy's staging directory ${staging}`).toBe(false);
        expect(await answers(), `${where}: after the next deploy`).toEqual(domains.map(() => color));
        const after = snapshot(target.managedDir);
        const state = unchanged ? 'old' : same(left, after) ? 'new' : 'mixed';
        expect(state, `${where} (${reached}): the managed files were a mix of the old and the new set\nold ${JSON.stringify(before)}\nnew ${JSON.stringify(after)}\nleft ${JSON.stringify(left)}`).not.toBe('mixed');
        outcomes.push(`${label}: ${state}`);
      }
      console.log(`[${name}] outcomes: ${outcomes.join('; ')}`);
    }, 900_000);

    // The lock lives on the server, whatever the database: checked once, where recovery is quick.
    if (dialect === 'sqlite' && login === 'root') it('a deploy started while the killed process\'s apply script still runs waits for it (flock), then succeeds', async () => {
      color = color === 'blue' ? 'green' : 'blue';
      await moveAllTo(color);
      const taskId = await enqueue();
      fs.writeFileSync(path.join(gate, 'armed-before'), '');
      const child = startTaskProcess({ ...childEnv(), TASK_ID: taskId, FAULT_PAUSE: 'applied' });
      await waitFor(() => fs.existsSync(path.join(gate, 'reached')), { timeoutMs: 60_000, abortIf: () => child.abortIfDead(), description: 'the apply script at the gate' });
      await child.kill();
      await recover(taskId);
      expect((await taskRow(taskId)).status).toBe('interrupted');

      // The orphan holds the lock at its `nginx -t`; the next deploy's first look at the files waits.
      const next = target.deploy();
      try {
        const nextId = await waitFor(async () => {
          const { db, t } = getDb();
          const [row] = await db.select().from(t.tasks).where(eq(t.tasks.status, 'running'));
          return row?.id;
        }, { timeoutMs: 60_000, description: 'the next deploy running' });
        await waitFor(() => lockWaiters(target.managedDir).length > 0, { timeoutMs: 60_000, description: 'the next deploy waiting for the lock' });
        expect(applyProcesses(target.managedDir).length).toBeGreaterThan(0);
        expect((await taskRow(nextId)).status).toBe('running');
      } finally {
        fs.writeFileSync(path.join(gate, 'open'), '');
      }
      const task = await next;
      expect(task.status, `${task.error}\n${await taskLog(token, task.id)}`).toBe('succeeded');
      expect(applyProcesses(target.managedDir)).toEqual([]);
      clearGate();
      expect((await target.nginx.test()).ok).toBe(true);
      expect(await answers()).toEqual(domains.map(() => color));
    }, 300_000);
  });
});
