import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type ConnectOptions, type SshTarget } from '@/lib/ssh/client';
import { SshPool } from '@/lib/ssh/pool';
import { startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary } from '../support/process';

/**
 * Prints handshake and per-command latency (PERFORMANCE.md's SSH figures) for the settings that
 * matter: TCP_NODELAY on or off, command shell on or off, a plain /bin/sh login or a bash login
 * with a slow .bashrc. Figures are printed, never asserted (TESTING.md); the assertions only
 * check that every command worked.
 */
const enabled = requireBinary('sshd', 'ssh-keygen', 'useradd');
const ROUNDS = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

describe.skipIf(!enabled)('ssh latency (printed)', () => {
  let sshd: SshdInstance;
  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'plain', shell: '/bin/sh' }, { name: 'slowrc' }] });
    // A .bashrc doing work before its interactive guard, like `eval "$(pyenv init -)"` does.
    const home = sshd.user('slowrc').home;
    const rc = `${home}/.bashrc`;
    fs.writeFileSync(rc, `i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done\n${fs.readFileSync(rc, 'utf8')}`);
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const target = (label: string): SshTarget => {
    const u = sshd.user(label);
    return { host: sshd.host, port: sshd.port, username: u.username, auth: { type: 'key', privateKey: u.privateKey! }, hostKeyFingerprint: sshd.hostKeyFingerprint };
  };

  async function measure(label: string, opts: ConnectOptions) {
    const handshakes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const c = await connectSsh(target(label), opts);
      handshakes.push(performance.now() - t0);
      c.close();
    }
    const conn = await connectSsh(target(label), opts);
    const per: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        const r = await conn.exec('echo ok');
        per.push(performance.now() - t0);
        expect(r.stdout).toBe('ok\n');
      }
    } finally {
      conn.close();
    }
    return { handshakeMs: median(handshakes), firstCommandMs: per[0], commandMs: median(per.slice(1)) };
  }

  it('handshake and command latency', async () => {
    const rows: Record<string, { handshakeMs: number; firstCommandMs: number; commandMs: number }> = {};
    rows['sh login, TCP_NODELAY, command shell'] = await measure('plain', {});
    rows['sh login, Nagle (ssh2 default), command shell'] = await measure('plain', { noDelay: false });
    rows['sh login, TCP_NODELAY, channel per command'] = await measure('plain', { commandShell: false });
    rows['sh login, Nagle (ssh2 default), channel per command'] = await measure('plain', { commandShell: false, noDelay: false });
    rows['bash + slow .bashrc, TCP_NODELAY, command shell'] = await measure('slowrc', {});
    rows['bash + slow .bashrc, TCP_NODELAY, channel per command'] = await measure('slowrc', { commandShell: false });
    const fmt = (n: number) => `${n.toFixed(1)} ms`;
    console.log(
      ['SSH latency (medians; loopback):', ...Object.entries(rows).map(([k, v]) => `  ${k}: handshake ${fmt(v.handshakeMs)}, first command ${fmt(v.firstCommandMs)}, then ${fmt(v.commandMs)} per command`)].join('\n'),
    );

    const pool = new SshPool();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 200 }, (_, i) => pool.withConnection('bench', target('plain'), (c) => c.exec(`echo ${i}`))));
    const seconds = (performance.now() - t0) / 1000;
    const stats = pool.stats();
    console.log(`  pool: 200 commands, 8 at a time on one connection: ${(200 / seconds).toFixed(0)} commands/s, ${stats.handshakes} handshake(s)`);
    expect(stats.handshakes).toBe(1);
    await pool.closeAll();
  });
});
