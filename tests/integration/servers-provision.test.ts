import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { haveGlances } from '../support/glances';
import { freePort } from '../support/ports';
import { pidAlive, registerCleanup, requireBinary, requirePart } from '../support/process';
import { httpRequest, waitFor } from '../support/wait';
import { getSshPool } from '@/lib/ssh/pool';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { serverTaskHandlers } from '@/lib/servers/tasks';
import { includeLine } from '@/lib/nginx/layout';
import { nginxLayoutOf } from '@/lib/nginx/layout';
import { getServerRow } from '@/lib/servers/connection';

const enabled = requireBinary('sshd', 'ssh-keygen', 'sudo', 'useradd', 'nginx');
// The Glances plan without a service manager keeps its PID here (lib/provision/glances-plan.ts).
const GLANCES_PID = '/run/gatehouse-glances.pid';

/** Install tasks on this Debian machine: the real nginx of the harness, reached over real SSH. */
describe.skipIf(!enabled)('provisioning servers through tasks', () => {
  let sshd: SshdInstance;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    registerTaskHandlers(serverTaskHandlers);
    sshd = await startSshd({ users: [{ name: 'root' }, { name: 'deploy', sudo: 'nopasswd' }] });
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await sshd?.stop();
  });

  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;

    beforeAll(async () => {
      tdb = await openTestDb(dialect);
      s = await seedUsers();
    });
    afterAll(async () => {
      await getSshPool().closeAll();
      await tdb?.close();
    });

    async function addServer(name: string, label: string, over: Record<string, unknown> = {}) {
      const u = sshd.user(label);
      const r = await api('POST', '/api/v1/servers', {
        token: s.adminToken,
        body: { name, host: sshd.host, sshPort: sshd.port, sshUser: u.username, authMethod: 'key', privateKey: u.privateKey, ...over },
      });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    }
    async function run(id: string, action: string, body?: unknown) {
      const r = await api('POST', `/api/v1/servers/${id}/${action}`, { token: s.adminToken, body });
      expect(r.status, r.text).toBe(202);
      const task = await waitForTask(r.body.taskId, 300_000);
      const logs = await api('GET', `/api/v1/tasks/${task.id}/logs`, { token: s.adminToken });
      return { task, lines: logs.body.lines.map((l: { text: string }) => l.text) as string[] };
    }

    it('installs (finds) and starts Nginx through sudo, twice: the second run changes nothing', async () => {
      const nginx: NginxInstance = await startNginx();
      try {
        const layout = { managedDir: path.join(nginx.prefix, 'gatehouse'), mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort: nginx.port };
        const id = await addServer(`nginx-${dialect}`, 'deploy', { nginxLayout: layout });
        // Stopped, so the plan has to start it.
        await import('node:child_process').then((cp) => cp.execFileSync(nginx.wrapper, ['-s', 'quit']));
        await waitFor(() => !fs.existsSync(nginx.pidFile), { timeoutMs: 10_000, description: 'nginx stopped' });

        const first = await run(id, 'install-nginx');
        expect(first.task.status, `${first.task.error}\n${first.lines.join('\n')}`).toBe('succeeded');
        expect(first.task.progress).toBe(100);
        expect((first.task.result as { changed: number }).changed).toBe(3);
        expect(first.lines).toEqual(expect.arrayContaining([
          '✓ already done: install the nginx package',
          expect.stringMatching(/^→ running: create the managed directory/),
          expect.stringMatching(/^→ running: include the managed directory/),
          '→ running: start nginx (no service manager)',
          '✓ nginx -t: the configuration is valid',
          '✓ Nginx 1.22.1 is installed and running (3 steps changed).',
        ]));
        const conf = fs.readFileSync(nginx.confFile, 'utf8');
        const line = includeLine(nginxLayoutOf(await getServerRow(id)));
        expect(conf.split('\n').filter((l) => l.trim() === line)).toHaveLength(1);
        expect(fs.readdirSync(layout.managedDir).sort()).toEqual(['domains', 'http.conf', 'upstreams.conf']);
        const pid = Number(fs.readFileSync(nginx.pidFile, 'utf8'));
        expect(pidAlive(pid)).toBe(true);
        expect((await httpRequest(`http://127.0.0.1:${nginx.port}/__harness/health`)).status).toBe(200);
        const srv = (await api('GET', `/api/v1/servers/${id}`, { token: s.adminToken })).body;
        expect(srv.nginx).toEqual({ status: 'running', version: '1.22.1' });

        const second = await run(id, 'install-nginx');
        expect(second.task.status, second.task.error ?? '').toBe('succeeded');
        expect((second.task.result as { changed: number }).changed).toBe(0);
        expect(second.lines).toContain('nginx: nothing changed');
        expect(second.lines.at(-1)).toBe('✓ Nothing changed: Nginx 1.22.1 was already installed, set up and running.');
        expect(second.lines.some((l) => l.startsWith('→ running'))).toBe(false);
        expect(fs.readFileSync(nginx.confFile, 'utf8')).toBe(conf);
        expect(Number(fs.readFileSync(nginx.pidFile, 'utf8'))).toBe(pid);
      } finally {
        await nginx.stop();
      }
    });

    it('a broken nginx configuration fails the task with nginx\'s own words', async () => {
      const nginx = await startNginx();
      try {
        const managedDir = path.join(nginx.prefix, 'gatehouse');
        const id = await addServer(`broken-${dialect}`, 'root', { nginxLayout: { managedDir, mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile } });
        expect((await run(id, 'install-nginx')).task.status).toBe('succeeded');
        fs.writeFileSync(path.join(managedDir, 'domains', 'bad.conf'), 'server { listen 127.0.0.1:1; bogus_directive on; }\n');
        const failed = await run(id, 'install-nginx');
        expect(failed.task.status).toBe('failed');
        expect(failed.task.error).toMatch(/^nginx -t failed: .*bogus_directive/);
        expect(failed.lines.some((l) => l.includes('unknown directive "bogus_directive"'))).toBe(true);
      } finally {
        await nginx.stop();
      }
    });

    describe.skipIf(!requirePart(haveGlances(), 'glances with python3-bottle is not installed'))('glances', () => {
      it('installs Glances bound to the server address, sets the URL, and a second run changes nothing', async () => {
        const unregister = registerCleanup({ kind: 'cmd', argv: ['/bin/sh', '-c', `test -s ${GLANCES_PID} && kill -KILL "$(cat ${GLANCES_PID})"`] });
        try {
          const id = await addServer(`glances-${dialect}`, 'deploy');
          const port = await freePort();
          const first = await run(id, 'install-glances', { port });
          expect(first.task.status, `${first.task.error}\n${first.lines.join('\n')}`).toBe('succeeded');
          const url = `http://127.0.0.1:${port}`;
          expect(first.lines).toEqual(expect.arrayContaining([`Glances will listen on 127.0.0.1:${port}`, `✓ Glances URL set to ${url}`]));
          const srv = (await api('GET', `/api/v1/servers/${id}`, { token: s.adminToken })).body;
          expect(srv.glances).toMatchObject({ url, apiVersion: 3 });
          expect((await httpRequest(`${url}/api/3/now`)).status).toBe(200);

          const second = await run(id, 'install-glances', { port });
          expect(second.task.status, second.task.error ?? '').toBe('succeeded');
          expect(second.lines.at(-1)).toBe('✓ Nothing changed: Glances was already installed and running.');
          const test = await run(id, 'test');
          expect(test.lines).toContain(`✓ Glances API v3 answers at ${url}`);
        } finally {
          const pid = fs.existsSync(GLANCES_PID) ? Number(fs.readFileSync(GLANCES_PID, 'utf8')) : 0;
          if (pid > 0 && pidAlive(pid)) process.kill(pid, 'SIGKILL');
          fs.rmSync(GLANCES_PID, { force: true });
          unregister();
        }
      });
    });
  });
});
