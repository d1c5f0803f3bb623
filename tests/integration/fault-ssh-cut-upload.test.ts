/**
 * Fault: the SSH connection is cut in the middle of a deploy's upload.
 *
 * What breaks: Gatehouse (in-process, real task runner and deploy code) deploys to a real sshd +
 * nginx a change of every domain file and upstreams.conf; when it starts the k-th of its SFTP
 * writes to the staging directory (k seeded, from the first file to the last list file), the
 * test SIGKILLs the sshd processes serving Gatehouse's connection (the per-connection session
 * process and its privilege-separated children, found under the test sshd's PID). The write and
 * everything after it fail on a connection that is gone. Three cuts per dialect logged in as root,
 * and three on SQLite logged in as a sudo user.
 *
 * What must hold afterwards: the task is `failed` with a plain message (what happened and what to
 * do, no stack, no library error text); the server's Nginx is untouched: every file of the managed
 * directory byte for byte as before, `nginx -t` passes, the same master and workers (no reload),
 * every domain still answers from the old pool; and the next deploy (over a new connection)
 * succeeds, serves the new pool, and removes the cut upload's staging directory once that is
 * older than an hour (the test ages it; it may hold private keys).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { childPids, requireBinary } from '../support/process';
import { seededRandom } from '../support/seed';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { SshConnection } from '@/lib/ssh/connection';
import { registerTaskHandlers } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

const CUTS = 3;
/** Root on each dialect; on SQLite also a sudo user (sshd's privilege-separated pair of processes). */
const CASES = [
  ...dialects.map((dialect) => ({ dialect, login: 'root', seed: dialect === 'sqlite' ? 4242 : 4243 })),
  ...(dialects.includes('sqlite') ? [{ dialect: 'sqlite' as const, login: 'sudo', seed: 4244 }] : []),
];
const DOMAINS = 3;

/** Every file under `dir` (the whole managed directory), relative path → sha256. */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const comm = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** sshd processes below the listener: the per-connection session processes and their sshd children. */
function sessionProcesses(listener: number): number[] {
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of childPids(pid)) {
      if (!comm(c).startsWith('sshd')) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(listener);
  return out;
}

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen'))('fault: the SSH connection cut mid-upload (sshd session process killed)', () => {
  describe.each(CASES)('on $dialect, logged in as $login', ({ dialect, login, seed }) => {
    const name = `fault-ssh-cut-upload-${dialect}-${login}`;
    const rng = seededRandom(name, seed);
    let tdb: TestDb;
    let token: string;
    let target: DeployTarget;
    const pools: Record<string, { id: string; upstream: HttpUpstream }> = {};
    const domains: { id: string; fqdn: string }[] = [];
    let color = 'blue';

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

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      token = (await seedUsers()).adminToken;
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(token, `ssh-cut-${dialect}-${login}`, { sudo: login === 'sudo' });
      for (const c of ['blue', 'green']) {
        const upstream = await startHttpUpstream({ name: c });
        const r = await api('POST', '/api/v1/upstreams', { token, body: { name: `pool-${c}`, targets: [{ host: '127.0.0.1', port: upstream.port }] } });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        pools[c] = { id: r.body.id, upstream };
      }
      for (let i = 0; i < DOMAINS; i++) {
        const fqdn = `cut-${i}-${rng.int(100, 999)}.gatehouse.test`;
        const r = await api('POST', '/api/v1/domains', { token, body: { fqdn, serverId: target.serverId, upstreamId: pools.blue!.id } });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        domains.push({ id: r.body.id, fqdn });
      }
      const first = await target.deploy();
      expect(first.status, `${first.error}\n${await taskLog(token, first.id)}`).toBe('succeeded');
      expect(await answers()).toEqual(domains.map(() => 'blue'));
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      for (const p of Object.values(pools)) await p.upstream.stop();
      await target?.stop();
      await tdb?.close();
    });

    it(`${CUTS} cuts at seeded upload writes: the deploy fails with a plain message, Nginx is untouched, the next deploy succeeds`, async () => {
      for (let cut = 1; cut <= CUTS; cut++) {
        const was = color;
        color = color === 'blue' ? 'green' : 'blue';
        await moveAllTo(color);
        // DOMAINS domain files + upstreams.conf, then install.list and remove.list.
        const k = rng.int(1, DOMAINS + 3);
        const where = `cut ${cut}/${CUTS} (seed ${rng.seed}) at write ${k} of ${DOMAINS + 3}`;
        const before = hashTree(target.managedDir);
        const master = target.nginx.pid;
        const workers = target.nginx.workerPids().sort();

        let writes = 0;
        let staging = '';
        const killed: number[] = [];
        const writeFile = SshConnection.prototype.writeFile;
        const spy = vi.spyOn(SshConnection.prototype, 'writeFile').mockImplementation(function (this: SshConnection, ...args) {
          staging ||= /^\/tmp\/gatehouse-deploy\.[A-Za-z0-9]+/.exec(args[0])?.[0] ?? '';
          if (++writes === k) {
            for (const pid of sessionProcesses(target.sshd.pid)) {
              process.kill(pid, 'SIGKILL');
              killed.push(pid);
            }
          }
          return writeFile.apply(this, args);
        });
        let task;
        try {
          task = await target.deploy();
        } finally {
          spy.mockRestore();
        }
        expect(killed.length, `${where}: sshd session processes to kill`).toBeGreaterThan(0);
        const log = await taskLog(token, task.id);
        expect(task.status, `${where}\n${log}`).toBe('failed');
        expect(task.error, `${where}\n${log}`).toBe(
          "The SSH connection was lost while writing a file on the server. Nginx's files were not changed. The deploy did not finish; deploy again once the server is reachable (it uploads whatever still differs).",
        );
        // No stack and no library text, in the task's error or its log.
        expect(`${task.error}\n${log}`).not.toMatch(/\n\s+at |\w+Error\b|node:internal|\.ts:\d+/);

        expect(hashTree(target.managedDir), `${where}: the managed directory`).toEqual(before);
        const nginxTest = await target.nginx.test();
        expect(nginxTest.ok, nginxTest.output).toBe(true);
        expect(target.nginx.pid).toBe(master);
        expect(target.nginx.workerPids().sort(), `${where}: Nginx was not reloaded`).toEqual(workers);
        expect(await answers(), `${where}: Nginx still serves the old pool`).toEqual(domains.map(() => was));

        // The staging directory of the cut upload stays behind (nothing could remove it); the
        // next deploy removes it once it is older than an hour (aged here rather than waited for).
        expect(staging && fs.existsSync(staging), `${where}: the cut upload's staging directory ${staging}`).toBe(true);
        const hoursAgo = new Date(Date.now() - 2 * 3600_000);
        fs.utimesSync(staging, hoursAgo, hoursAgo);

        const again = await target.deploy();
        expect(fs.existsSync(staging), `${where}: the stale staging directory after the next deploy`).toBe(false);
        expect(again.status, `${where}: the next deploy\n${again.error}\n${await taskLog(token, again.id)}`).toBe('succeeded');
        expect(await answers(), `${where}: after the next deploy`).toEqual(domains.map(() => color));
        console.log(`[${name}] ${where}: failed with "${task.error}"`);
      }
    });
  });
});
