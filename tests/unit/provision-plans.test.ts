import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult } from '@/lib/ssh/exec';
import { installCommand, nginxPlan, UnsupportedOsError, type InstallPlan } from '@/lib/provision/plans';
import { glancesPlan } from '@/lib/provision/glances-plan';
import { includeLine, MANAGED_FILES } from '@/lib/nginx/layout';
import { PlanStepError, runPlan, type PlanExecutor, type PlanLogStream } from '@/lib/provision/run-plan';

describe('install commands per family', () => {
  it('are non-interactive', () => {
    expect(installCommand('debian', ['a', 'b'])).toBe(
      "export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold 'a' 'b'",
    );
    expect(installCommand('rhel', ['x'])).toBe(
      "if command -v dnf >/dev/null 2>&1; then pm=dnf; else pm=yum; fi; $pm install -y 'x' || { $pm install -y epel-release && $pm install -y 'x'; }",
    );
    expect(installCommand('alpine', ['x'])).toBe("apk add --no-cache 'x'");
    expect(installCommand('suse', ['x'])).toBe("zypper --non-interactive install 'x'");
    expect(installCommand('arch', ['x'])).toBe("pacman -S --noconfirm --needed 'x'");
  });
});

describe('nginx plan', () => {
  it('has install, managed dir, include line and service steps, all privileged', () => {
    const plan = nginxPlan({ family: 'debian', init: 'systemd' });
    expect(plan.steps.map((s) => s.name)).toEqual([
      'install the nginx package',
      'create the managed directory /etc/nginx/gatehouse',
      'include the managed directory from /etc/nginx/nginx.conf',
      'enable and start nginx (systemd)',
      'install the Nginx stream module (libnginx-mod-stream)',
    ]);
    expect(plan.steps[4].check).toContain("grep -q 'install ok installed'");
    expect(plan.steps[4].run).toMatch(/apt-get install .* 'libnginx-mod-stream'$/);
    expect(nginxPlan({ family: 'alpine', init: 'openrc' }).steps[4].run).toBe("apk add --no-cache 'nginx-mod-stream'");
    expect(nginxPlan({ family: 'arch', init: 'systemd' }).steps).toHaveLength(4);
    expect(plan.steps.every((s) => s.privileged)).toBe(true);
    expect(plan.steps[0].check).toBe("command -v 'nginx' >/dev/null 2>&1");
    expect(plan.steps[2].check).toBe("grep -qF 'include /etc/nginx/gatehouse/http.conf;' '/etc/nginx/nginx.conf'");
    expect(plan.steps[3]).toMatchObject({ check: "systemctl is-active --quiet 'nginx' && systemctl is-enabled --quiet 'nginx'", run: "systemctl enable --now 'nginx'" });
  });

  it('uses OpenRC, or starts the binary directly when there is no service manager', () => {
    const openrc = nginxPlan({ family: 'alpine', init: 'openrc' }).steps[3];
    expect(openrc.check).toBe("rc-service 'nginx' status >/dev/null 2>&1 && rc-update show default | grep -qw 'nginx'");
    expect(openrc.run).toContain("rc-update add 'nginx' default");
    expect(openrc.run).toContain("rc-service 'nginx' start");
    const none = nginxPlan({ family: 'debian', init: 'none' }).steps[3];
    expect(none.check).toMatch(/^pgrep -x nginx/);
    expect(none.run).toBe("'nginx'");
    const custom = nginxPlan({ family: 'debian', init: 'none', layout: { binary: '/usr/sbin/nginx', args: ['-p', '/srv/p/', '-c', 'conf/nginx.conf'], pidFile: '/srv/p/nginx.pid' } });
    expect(custom.steps[0].check).toBe("test -x '/usr/sbin/nginx'");
    expect(custom.steps[3].check).toBe(`test -s '/srv/p/nginx.pid' && kill -0 "$(cat '/srv/p/nginx.pid')" 2>/dev/null`);
    expect(custom.steps[3].run).toBe("'/usr/sbin/nginx' '-p' '/srv/p/' '-c' 'conf/nginx.conf'");
  });

  it('refuses unknown systems and paths that cannot sit unquoted in nginx.conf', () => {
    expect(() => nginxPlan({ family: 'unknown', init: 'systemd' })).toThrow(UnsupportedOsError);
    expect(() => nginxPlan({ family: 'debian', init: 'none', layout: { managedDir: '/etc/nginx/my dir' } })).toThrow(/plain absolute path/);
    expect(() => nginxPlan({ family: 'debian', init: 'none', layout: { managedDir: '/etc/x;evil' } })).toThrow(/plain absolute path/);
    expect(() => nginxPlan({ family: 'debian', init: 'none', layout: { confPath: 'relative.conf' } })).toThrow(/plain absolute path/);
  });
});

describe('glances plan', () => {
  it('installs the API dependencies per family', () => {
    expect(glancesPlan({ family: 'debian', init: 'systemd', bind: '10.0.0.5' }).steps[0].run).toMatch(/apt-get install .* 'glances'$/);
    expect(glancesPlan({ family: 'alpine', init: 'openrc', bind: '10.0.0.5' }).steps[0].run).toBe("apk add --no-cache 'glances' 'py3-bottle'");
    expect(glancesPlan({ family: 'arch', init: 'systemd', bind: '10.0.0.5' }).steps[0].run).toContain("'python-fastapi' 'python-uvicorn'");
  });

  it('systemd: writes its own unit with the API arguments, then enables it', () => {
    const plan = glancesPlan({ family: 'rhel', init: 'systemd', bind: '10.0.0.5', port: 61999 });
    expect(plan.steps.map((s) => s.name)).toEqual(['install the glances package', 'write the gatehouse-glances unit', 'enable and start glances (systemd)']);
    expect(plan.steps[1].check).toBe("grep -qF -- '-w --disable-webui -B 10.0.0.5 -p 61999' '/etc/systemd/system/gatehouse-glances.service'");
    expect(plan.steps[1].run).toContain('"ExecStart=$g -w --disable-webui -B 10.0.0.5 -p 61999"');
    expect(plan.steps[2].run).toBe("systemctl enable --now 'gatehouse-glances'");
  });

  it('openrc: writes an init script; none: starts it detached with a PID file', () => {
    const openrc = glancesPlan({ family: 'alpine', init: 'openrc', bind: '0.0.0.0' });
    expect(openrc.steps[1].run).toContain("'#!/sbin/openrc-run'");
    expect(openrc.steps[1].run).toContain(`'command_args="-w --disable-webui -B 0.0.0.0 -p 61208"'`);
    const none = glancesPlan({ family: 'debian', init: 'none', bind: '0.0.0.0' });
    expect(none.steps[1].check).toContain("test -s '/run/gatehouse-glances.pid'");
    expect(none.steps[1].run).toContain('nohup $s "$g" -w --disable-webui -B 0.0.0.0 -p 61208');
    expect(none.steps[1].run).toContain("'127.0.0.1' 61208");
  });

  it('refuses a bind address that is not one', () => {
    expect(() => glancesPlan({ family: 'debian', init: 'none', bind: '1.2.3.4; rm -rf /' })).toThrow(/bind/);
    expect(() => glancesPlan({ family: 'debian', init: 'none', bind: '::', port: 70000 })).toThrow(/port/);
  });
});

// ------------------------------------------------------------------ runPlan against the real /bin/sh

/** Runs commands with the local /bin/sh: "privileged" is the same here, the test runs alone. */
const local: PlanExecutor = { exec: runLocal, execPrivileged: runLocal };
function runLocal(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => ((stdout += c), opts.onStdout?.(c)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => ((stderr += c), opts.onStderr?.(c)));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, truncated: false }));
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-plan-'));
  dirs.push(d);
  return d;
}
function recorder() {
  const lines: [PlanLogStream, string][] = [];
  const progress: number[] = [];
  return { lines, progress, hooks: { log: (s: PlanLogStream, l: string) => lines.push([s, l]), progress: (p: number) => progress.push(p) } };
}

describe('runPlan', () => {
  it('runs what is missing, skips what is done, and a second run changes nothing', async () => {
    const d = tmpDir();
    const plan: InstallPlan = {
      name: 'demo',
      steps: [
        { name: 'a', check: `test -f ${d}/a`, run: `echo making a; echo note >&2; touch ${d}/a`, privileged: false },
        { name: 'b', check: 'true', run: 'exit 99', privileged: true },
      ],
    };
    const first = recorder();
    expect(await runPlan(local, plan, first.hooks)).toEqual({ changed: 1, steps: [{ name: 'a', status: 'changed' }, { name: 'b', status: 'already-done' }] });
    expect(first.lines).toEqual([
      ['info', 'running: a'],
      ['stdout', 'making a'],
      ['stderr', 'note'],
      ['info', 'done: a'],
      ['info', 'already done: b'],
      ['info', 'demo: 1 step changed'],
    ]);
    expect(first.progress).toEqual([0, 50, 100]);
    const second = recorder();
    expect((await runPlan(local, plan, second.hooks)).changed).toBe(0);
    expect(second.lines.at(-1)).toEqual(['info', 'demo: nothing changed']);
  });

  it('stops at a failing step with its output, and at a step whose check still fails', async () => {
    const failing: InstallPlan = { name: 'x', steps: [{ name: 'boom', check: 'false', run: 'echo one >&2; echo two >&2; exit 3', privileged: true }, { name: 'never', check: 'false', run: 'true', privileged: true }] };
    const err = await runPlan(local, failing).catch((e) => e);
    expect(err).toBeInstanceOf(PlanStepError);
    expect(err).toMatchObject({ step: 'boom', exitCode: 3, output: 'one\ntwo', message: 'Step "boom" failed (exit 3): two' });
    const lying: InstallPlan = { name: 'x', steps: [{ name: 'liar', check: 'false', run: 'true', privileged: true }] };
    await expect(runPlan(local, lying)).rejects.toThrow('Step "liar" ran but its check still fails.');
  });

  it('puts the sbin directories on PATH', async () => {
    const rec = recorder();
    await runPlan(local, { name: 'p', steps: [{ name: 'path', check: 'false', run: 'echo "$PATH"', privileged: false }] }, { log: rec.hooks.log }).catch(() => undefined);
    expect(rec.lines.find(([s]) => s === 'stdout')?.[1]).toMatch(/:\/usr\/local\/sbin:\/usr\/sbin:\/sbin$/);
  });
});

describe('nginx include step (real /bin/sh and awk on a scratch nginx.conf, fake nginx binary)', () => {
  function setup(conf: string, nginxTestExit = 0) {
    const d = tmpDir();
    const confPath = path.join(d, 'nginx.conf');
    fs.writeFileSync(confPath, conf, { mode: 0o640 });
    const fake = path.join(d, 'fake-nginx');
    fs.writeFileSync(fake, `#!/bin/sh\necho "fake nginx $*" >&2\nexit ${nginxTestExit}\n`, { mode: 0o755 });
    const layout = { confPath, managedDir: path.join(d, 'gatehouse'), binary: fake, args: [], pidFile: path.join(d, 'nginx.pid') };
    const plan = nginxPlan({ family: 'debian', init: 'none', layout });
    // Only the managed-dir and include steps: the fake cannot be installed or started.
    return { d, confPath, layout, plan: { name: 'nginx', steps: plan.steps.slice(1, 3) } };
  }
  const line = (dir: string) => includeLine({ managedDir: dir });

  it('creates the managed files and adds the line right after `http {`, once', async () => {
    const { d, confPath, plan } = setup('user www-data;\nevents {}\n# http { (a comment)\nhttp {\n    sendfile on;\n}\n');
    expect((await runPlan(local, plan)).changed).toBe(2);
    expect(fs.readFileSync(confPath, 'utf8')).toBe(`user www-data;\nevents {}\n# http { (a comment)\nhttp {\n    ${line(`${d}/gatehouse`)}\n    sendfile on;\n}\n`);
    expect(fs.statSync(confPath).mode & 0o777).toBe(0o640);
    const entry = fs.readFileSync(path.join(d, 'gatehouse', MANAGED_FILES.entry), 'utf8');
    expect(entry).toContain(`include ${d}/gatehouse/upstreams.conf;\ninclude ${d}/gatehouse/domains/*.conf;\n`);
    expect(fs.existsSync(path.join(d, 'gatehouse', 'domains'))).toBe(true);
    expect((await runPlan(local, plan)).changed).toBe(0);
    expect(fs.readdirSync(d).sort()).toEqual(['fake-nginx', 'gatehouse', 'nginx.conf']);
  });

  it('accepts a compact `http{`', async () => {
    const { d, confPath, plan } = setup('events{}\nhttp{\n}\n');
    await runPlan(local, plan);
    expect(fs.readFileSync(confPath, 'utf8')).toBe(`events{}\nhttp{\n    ${line(`${d}/gatehouse`)}\n}\n`);
  });

  it('restores nginx.conf byte for byte when nginx -t fails', async () => {
    const original = 'events {}\nhttp {\n    listen_broken;\n}\n';
    const { d, confPath, plan } = setup(original, 1);
    const rec = recorder();
    const err = await runPlan(local, plan, rec.hooks).catch((e) => e);
    expect(err).toBeInstanceOf(PlanStepError);
    expect(err.output).toContain('restored unchanged');
    expect(rec.lines).toContainEqual(['stderr', 'fake nginx -t']);
    expect(fs.readFileSync(confPath, 'utf8')).toBe(original);
    expect(fs.readdirSync(d).sort()).toEqual(['fake-nginx', 'gatehouse', 'nginx.conf']);
  });

  it('fails clearly, changing nothing, when there is no `http {` line', async () => {
    const original = 'events {}\nhttp\n{\n}\n';
    const { confPath, plan } = setup(original);
    const err = await runPlan(local, plan).catch((e) => e);
    expect(err.message).toMatch(/no 'http \{' line/);
    expect(fs.readFileSync(confPath, 'utf8')).toBe(original);
  });
});
