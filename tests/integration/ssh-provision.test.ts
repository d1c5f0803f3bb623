import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshConnection, type SshTarget } from '@/lib/ssh/client';
import { detectServer } from '@/lib/provision/detect';
import { nginxPlan } from '@/lib/provision/plans';
import { glancesPlan } from '@/lib/provision/glances-plan';
import { includeLine, type NginxLayout } from '@/lib/nginx/layout';
import { PlanStepError, runPlan, type PlanLogStream } from '@/lib/provision/run-plan';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { haveGlances } from '../support/glances';
import { freePort } from '../support/ports';
import { makeTempDir, pidAlive, registerCleanup, requireBinary, requirePart } from '../support/process';
import { httpRequest, waitFor } from '../support/wait';

const enabled = requireBinary('sshd', 'ssh-keygen', 'sudo', 'useradd', 'nginx');

describe.skipIf(!enabled)('provisioning over ssh on this Debian machine', () => {
  let sshd: SshdInstance;
  const conns: SshConnection[] = [];

  beforeAll(async () => {
    sshd = await startSshd({
      users: [{ name: 'root' }, { name: 'deploy', sudo: 'nopasswd' }, { name: 'askpw', password: 'pw-for-sudo', sudo: 'password' }],
    });
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await sshd?.stop();
  });

  async function connect(label: string): Promise<SshConnection> {
    const u = sshd.user(label);
    const auth: SshTarget['auth'] = u.password ? { type: 'password', password: u.password } : { type: 'key', privateKey: u.privateKey! };
    const c = await connectSsh({ host: sshd.host, port: sshd.port, username: u.username, auth, hostKeyFingerprint: sshd.hostKeyFingerprint });
    conns.push(c);
    return c;
  }
  function layoutFor(nginx: NginxInstance): Partial<NginxLayout> {
    return {
      confPath: nginx.confFile,
      managedDir: path.join(nginx.prefix, 'gatehouse'),
      binary: nginx.binary,
      args: ['-p', `${nginx.prefix}/`, '-c', 'conf/nginx.conf', '-e', nginx.errorLog],
      pidFile: nginx.pidFile,
    };
  }
  function recorder() {
    const lines: [PlanLogStream, string][] = [];
    const progress: number[] = [];
    return { lines, progress, hooks: { log: (s: PlanLogStream, l: string) => lines.push([s, l]), progress: (p: number) => progress.push(p) } };
  }

  it('detect: one round trip describes the server, per login', async () => {
    const nginx = await startNginx();
    try {
      const layout = { ...layoutFor(nginx) } as NginxLayout;
      const root = await detectServer(await connect('root'), { ...nginxPlanLayoutDefaults(), ...layout });
      expect(root).toMatchObject({ uid: 0, sudo: 'root', canRunPrivileged: true, init: 'none' });
      expect(root.os).toMatchObject({ id: 'debian', family: 'debian', version: '12' });
      expect(root.nginx).toEqual({ installed: true, version: '1.22.1', running: true });
      if (haveGlances()) expect(root.glances.version).toMatch(/^3\.3\./);

      const deploy = await detectServer(await connect('deploy'));
      expect(deploy).toMatchObject({ uid: sshd.user('deploy').uid, sudo: 'nopasswd', canRunPrivileged: true });
      // /usr/sbin is not in a Debian user's PATH; the script adds it.
      expect(deploy.nginx.installed).toBe(true);

      const askpw = await detectServer(await connect('askpw'));
      expect(askpw).toMatchObject({ sudo: 'password-required', canRunPrivileged: false });
    } finally {
      await nginx.stop();
    }
  });

  it('nginx plan: the first run changes the server, the second changes nothing', async () => {
    const nginx = await startNginx();
    try {
      const plan = nginxPlan({ family: 'debian', init: 'none', layout: layoutFor(nginx) });
      // Stop nginx so the plan's start step has work to do (it starts it daemonized).
      await (await connect('root')).exec(`${nginx.binary} -p ${nginx.prefix}/ -c conf/nginx.conf -s quit`);
      await waitFor(() => !fs.existsSync(nginx.pidFile), { timeoutMs: 10_000, description: 'nginx stopped' });

      const first = recorder();
      const r1 = await runPlan(await connect('deploy'), plan, first.hooks); // through sudo -n
      // The stream module step is already done: scripts/install-test-deps.sh installs it here.
      expect(r1.steps.map((s) => s.status)).toEqual(['already-done', 'changed', 'changed', 'changed', 'already-done']);
      expect(r1.changed).toBe(3);
      expect(first.progress).toEqual([0, 20, 40, 60, 80, 100]);
      expect(first.lines).toContainEqual(['info', 'already done: install the nginx package']);

      const conf = fs.readFileSync(nginx.confFile, 'utf8');
      const line = includeLine({ ...nginxPlanLayoutDefaults(), ...layoutFor(nginx) } as NginxLayout);
      expect(conf.split('\n').filter((l) => l.trim() === line)).toHaveLength(1);
      expect(conf).toMatch(new RegExp(`http \\{\\n\\s+${escapeRe(line)}`));
      const managed = path.join(nginx.prefix, 'gatehouse');
      expect(fs.readdirSync(managed).sort()).toEqual(['domains', 'http.conf', 'upstreams.conf']);
      const pid = Number(fs.readFileSync(nginx.pidFile, 'utf8'));
      expect(pidAlive(pid)).toBe(true);
      expect((await httpRequest(`http://127.0.0.1:${nginx.port}/__harness/health`)).status).toBe(200);

      // A site dropped into the managed directory is served after a reload: the include works.
      fs.writeFileSync(path.join(managed, 'domains', 'probe.conf'), `server { listen 127.0.0.1:${nginx.port}; server_name probe.test; return 200 "managed\\n"; }\n`);
      await nginx.reload();
      const probe = await httpRequest(`http://127.0.0.1:${nginx.port}/`, { headers: { host: 'probe.test' } });
      expect(probe.body).toBe('managed\n');

      const second = recorder();
      const r2 = await runPlan(await connect('root'), plan, second.hooks);
      expect(r2.changed).toBe(0);
      expect(second.lines.at(-1)).toEqual(['info', 'nginx: nothing changed']);
      expect(fs.readFileSync(nginx.confFile, 'utf8')).toBe(conf);
      expect(Number(fs.readFileSync(nginx.pidFile, 'utf8'))).toBe(pid);
    } finally {
      await nginx.stop();
    }
  });

  it('nginx plan: when nginx -t fails with the include line, nginx.conf is restored and nginx keeps serving', async () => {
    const nginx = await startNginx();
    try {
      const managed = path.join(nginx.prefix, 'gatehouse');
      fs.mkdirSync(path.join(managed, 'domains'), { recursive: true });
      fs.writeFileSync(path.join(managed, 'upstreams.conf'), '');
      fs.writeFileSync(path.join(managed, 'http.conf'), 'this_is_not_a_directive on;\n');
      const before = fs.readFileSync(nginx.confFile);
      const mode = fs.statSync(nginx.confFile).mode;
      const plan = nginxPlan({ family: 'debian', init: 'none', layout: layoutFor(nginx) });
      const rec = recorder();
      const err = await runPlan(await connect('root'), plan, rec.hooks).catch((e) => e);
      expect(err).toBeInstanceOf(PlanStepError);
      expect(err.step).toMatch(/^include the managed directory/);
      expect(err.output).toMatch(/restored unchanged/);
      expect(rec.lines.some(([s, l]) => s === 'stderr' && l.includes('this_is_not_a_directive'))).toBe(true);
      expect(fs.readFileSync(nginx.confFile).equals(before)).toBe(true);
      expect(fs.statSync(nginx.confFile).mode).toBe(mode);
      expect(fs.readdirSync(path.dirname(nginx.confFile)).filter((f) => f.includes('gatehouse'))).toEqual([]);
      expect((await nginx.test()).ok).toBe(true);
      expect((await httpRequest(`http://127.0.0.1:${nginx.port}/__harness/health`)).status).toBe(200);
    } finally {
      await nginx.stop();
    }
  });

  it('a plan run by a user whose sudo needs a password fails at its first privileged step', async () => {
    const nginx = await startNginx();
    try {
      const plan = nginxPlan({ family: 'debian', init: 'none', layout: layoutFor(nginx) });
      const err = await runPlan(await connect('askpw'), plan).catch((e) => e);
      expect(err.code).toBe('sudo_password_required');
    } finally {
      await nginx.stop();
    }
  });

  describe.skipIf(!requirePart(haveGlances(), 'glances with python3-bottle is not installed'))('glances', () => {
    it('glances plan without a service manager: starts the API once, second run changes nothing', async () => {
      const dir = makeTempDir('glances-plan', 0o755);
      const pidFile = path.join(dir.path, 'glances.pid');
      const port = await freePort();
      const unregister = registerCleanup({ kind: 'cmd', argv: ['/bin/sh', '-c', `test -s ${pidFile} && kill -KILL "$(cat ${pidFile})"`] });
      try {
        const plan = glancesPlan({ family: 'debian', init: 'none', bind: '127.0.0.1', port, pidFile, logFile: path.join(dir.path, 'glances.log') });
        const conn = await connect('root');
        const r1 = await runPlan(conn, plan);
        expect(r1.steps.map((s) => s.status)).toEqual(['already-done', 'changed']);
        const res = await httpRequest(`http://127.0.0.1:${port}/api/3/now`);
        expect(res.status).toBe(200);
        const r2 = await runPlan(conn, plan);
        expect(r2.changed).toBe(0);
        // A different port is a different configuration: the old process is replaced.
        const port2 = await freePort();
        const r3 = await runPlan(conn, glancesPlan({ family: 'debian', init: 'none', bind: '127.0.0.1', port: port2, pidFile, logFile: path.join(dir.path, 'glances.log') }));
        expect(r3.changed).toBe(1);
        expect((await httpRequest(`http://127.0.0.1:${port2}/api/3/now`)).status).toBe(200);
      } finally {
        const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
        if (pid > 0 && pidAlive(pid)) process.kill(pid, 'SIGKILL');
        unregister();
        dir.remove();
      }
    });
  });
});

function nginxPlanLayoutDefaults(): NginxLayout {
  return { confPath: '/etc/nginx/nginx.conf', managedDir: '/etc/nginx/gatehouse', binary: 'nginx', args: [], pidFile: null, service: 'nginx', httpPort: 80, httpsPort: 443, logDir: '/var/log/nginx' };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
