/**
 * The deploy's remote apply script on its own (POSIX sh, no SSH, no real Nginx): a rejected
 * `nginx -t` or a stopped Nginx puts back exactly the previous files, new files included.
 * It also does so with its caller gone (stdout a pipe nobody reads, and a SIGHUP), and removes
 * its staging directory. The success path (reload confirmed by the workers) runs against a real
 * Nginx in tests/integration/proxy-deploy*.test.ts; a killed Gatehouse in fault-deploy-sigkill.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLY_SCRIPT, HASHES_SCRIPT, LOCK_FILE, PROBE_SCRIPT, RESOLVE_SCRIPT } from '@/lib/proxy/remote-scripts';

let dir = '';
const m = (...p: string[]) => path.join(dir, 'managed', ...p);
const s = (...p: string[]) => path.join(dir, 'stage', ...p);

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      // The apply script's lock file is created once and stays empty.
      if (e.name === LOCK_FILE) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[`${path.relative(root, p)} ${(fs.statSync(p).mode & 0o777).toString(8)}`] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

function stage(files: Record<string, { content: string; mode: number }>, removals: string[]) {
  fs.mkdirSync(s('files', 'domains'), { recursive: true });
  fs.mkdirSync(s('files', 'certs'), { recursive: true });
  for (const [p, f] of Object.entries(files)) fs.writeFileSync(s('files', p), f.content, { mode: f.mode });
  fs.writeFileSync(s('install.list'), Object.entries(files).map(([p, f]) => `${f.mode.toString(8).padStart(4, '0')} ${p}\n`).join(''));
  fs.writeFileSync(s('remove.list'), removals.map((p) => `${p}\n`).join(''));
}

const apply = (pidFile: string) =>
  spawnSync('sh', ['-c', APPLY_SCRIPT, 'gh-apply', s(), m(), path.join(dir, 'nginx.conf'), pidFile, path.join(dir, 'fake-nginx')], { encoding: 'utf8' });

describe.skipIf(process.getuid?.() !== 0)('the apply script', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-apply-'));
    fs.mkdirSync(m('domains'), { recursive: true });
    fs.mkdirSync(m('certs'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(m('http.conf'), 'include upstreams.conf;\n');
    fs.writeFileSync(m('upstreams.conf'), 'upstream old {}\n');
    fs.writeFileSync(m('domains', 'keep.conf'), 'server { keep }\n');
    fs.writeFileSync(m('domains', 'old.conf'), 'server { old }\n');
    fs.writeFileSync(m('domains', 'gone.conf'), 'server { gone }\n');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\n');
    // `nginx -t` fails when any managed file says BROKEN, with Nginx-like text.
    fs.writeFileSync(
      path.join(dir, 'fake-nginx'),
      `#!/bin/sh\nif [ "$1" = -t ]; then if grep -rl BROKEN ${m()} >/dev/null; then echo 'nginx: [emerg] unknown directive "BROKEN" in x.conf:1' >&2; exit 1; fi; echo 'nginx: configuration file test is successful' >&2; fi\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('puts every previous file back when nginx -t fails', () => {
    const before = tree(m());
    stage(
      {
        'domains/old.conf': { content: 'server { BROKEN }\n', mode: 0o644 },
        'domains/new.conf': { content: 'server { new }\n', mode: 0o644 },
        'certs/c1.key': { content: 'KEY\n', mode: 0o600 },
        'upstreams.conf': { content: 'upstream new {}\n', mode: 0o644 },
      },
      ['domains/gone.conf'],
    );
    const r = apply('');
    expect(r.status).toBe(22);
    expect(r.stdout).toContain('\u001eGH fail test\u001e');
    expect(r.stderr).toContain('unknown directive "BROKEN"');
    expect(tree(m())).toEqual(before);
  });

  it('puts them back when Nginx is not running, after a passing test', () => {
    const before = tree(m());
    stage({ 'domains/new.conf': { content: 'server { new }\n', mode: 0o644 }, 'certs/c2.key': { content: 'KEY\n', mode: 0o600 } }, ['domains/gone.conf']);
    const r = apply(path.join(dir, 'no-such.pid'));
    expect(r.status).toBe(23);
    expect(r.stdout).toContain('\u001eGH tested\u001e');
    expect(r.stderr).toContain('Nginx is not running');
    expect(tree(m())).toEqual(before);
  });

  it('still puts them back when its caller is gone: stdout and stderr a pipe nobody reads, and a SIGHUP', () => {
    const before = tree(m());
    stage({ 'domains/old.conf': { content: 'server { replaced }\n', mode: 0o644 }, 'domains/new.conf': { content: 'server { new }\n', mode: 0o644 } }, ['domains/gone.conf']);
    // `nginx -t` (which passes) holds until the reader of the script's output has gone and the
    // script got SIGHUP; every write after that meets a closed pipe. Nginx is not running, so the
    // script has to roll back, after writing.
    fs.writeFileSync(path.join(dir, 'fake-nginx'), `#!/bin/sh\nif [ "$1" = -t ]; then touch ${dir}/at-test; while [ ! -e ${dir}/go ]; do sleep 0.01; done; echo 'nginx: configuration file test is successful' >&2; fi\n`, { mode: 0o755 });
    const driver = [
      `mkfifo ${dir}/out`,
      `cat ${dir}/out > /dev/null & reader=$!`,
      `sh -c "$0" gh-apply ${s()} ${m()} ${dir}/nginx.conf ${dir}/no-such.pid ${dir}/fake-nginx > ${dir}/out 2>&1 & script=$!`,
      `while [ ! -e ${dir}/at-test ]; do sleep 0.01; done`,
      `kill $reader; wait $reader; kill -HUP $script`,
      `touch ${dir}/go`,
      `wait $script; echo "exit $?"`,
    ].join('\n');
    const r = spawnSync('sh', ['-c', driver, APPLY_SCRIPT], { encoding: 'utf8' });
    expect(r.stdout.trim(), r.stderr).toBe('exit 23');
    expect(tree(m())).toEqual(before);
    expect(fs.existsSync(s())).toBe(false);
  });

  it('removes its staging directory on its way out', () => {
    stage({ 'domains/old.conf': { content: 'server { BROKEN }\n', mode: 0o644 } }, []);
    expect(apply('').status).toBe(22);
    expect(fs.existsSync(s())).toBe(false);
  });

  it.each([
    ['user www-data;', 'www-data'],
    ['user  nginx adm ;', 'adm'],
    ['', 'nogroup'],
  ])('gives access-list password files mode 0640 and the group of the workers (%j)', (directive, group) => {
    // Debian's names; elsewhere the group of "nobody" may be called "nobody".
    const expected = group === 'nogroup' ? spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout.trim() : group;
    if (spawnSync('getent', ['group', expected]).status !== 0) return;
    fs.writeFileSync(path.join(dir, 'nginx.conf'), `${directive}\nevents {}\n`);
    // The fake `nginx -t` records what the workers would find, then passes; the missing PID file
    // then rolls everything back, so the tree is as before.
    const seen = path.join(dir, 'seen');
    fs.writeFileSync(path.join(dir, 'fake-nginx'), `#!/bin/sh\nif [ "$1" = -t ]; then stat -c '%a %G' ${m('access', 'a1.htpasswd')} > ${seen}; fi\n`, { mode: 0o755 });
    fs.mkdirSync(s('files', 'access'), { recursive: true });
    stage({ 'access/a1.htpasswd': { content: 'alice:$6$salt$hash\n', mode: 0o640 } }, []);
    const r = apply(path.join(dir, 'no-such.pid'));
    expect(r.status, r.stderr).toBe(23);
    expect(fs.readFileSync(seen, 'utf8').trim()).toBe(`640 ${expected}`);
    expect(fs.existsSync(m('access', 'a1.htpasswd'))).toBe(false);
  });

  it('is valid POSIX sh, like the other remote scripts', () => {
    for (const script of [APPLY_SCRIPT, PROBE_SCRIPT, RESOLVE_SCRIPT, HASHES_SCRIPT]) expect(spawnSync('sh', ['-n', '-c', script]).status).toBe(0);
  });

  it('hashes the managed files in one go', () => {
    const r = spawnSync('sh', ['-c', HASHES_SCRIPT, 'gh-hashes', m()], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[1]).sort()).toEqual(['domains/gone.conf', 'domains/keep.conf', 'domains/old.conf', 'upstreams.conf']);
  });
});
