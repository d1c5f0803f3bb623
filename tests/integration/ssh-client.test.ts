import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshConnection, type SshTarget } from '@/lib/ssh/client';
import {
  HostKeyMismatchError,
  SshAuthError,
  SshCommandTimeoutError,
  SshConnectError,
  SudoPasswordRequiredError,
} from '@/lib/ssh/errors';
import { lineSplitter } from '@/lib/ssh/lines';
import { cmd } from '@/lib/ssh/quote';
import { startSshd, type SshdInstance } from '../support/sshd';
import { freePort } from '../support/ports';
import { pidAlive, requireBinary } from '../support/process';
import { waitFor } from '../support/wait';

const enabled = requireBinary('sshd', 'ssh-keygen', 'sudo', 'useradd');
function procState(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2);
  } catch {
    return '';
  }
}

const PASSWORD = "pa ss'w\"ord$(id)";
const PASSPHRASE = 'correct horse battery';

describe.skipIf(!enabled)('ssh client against a real sshd', () => {
  let sshd: SshdInstance;
  const open: SshConnection[] = [];

  beforeAll(async () => {
    sshd = await startSshd({
      users: [
        { name: 'root' },
        { name: 'deploy', password: PASSWORD, sudo: 'nopasswd' },
        { name: 'phrase', keyPassphrase: PASSPHRASE },
        { name: 'askpw', password: 'sudo-needs-me', sudo: 'password' },
      ],
    });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await sshd?.stop();
  });

  function target(label: string, over: Partial<SshTarget> = {}): SshTarget {
    const u = sshd.user(label);
    const auth: SshTarget['auth'] = u.password
      ? { type: 'password', password: u.password }
      : { type: 'key', privateKey: u.privateKey!, passphrase: u.keyPassphrase };
    return { host: sshd.host, port: sshd.port, username: u.username, auth, hostKeyFingerprint: sshd.hostKeyFingerprint, ...over };
  }
  async function connect(t: SshTarget): Promise<SshConnection> {
    const c = await connectSsh(t);
    open.push(c);
    return c;
  }

  it('logs in with a password and reports the host key for trust on first use', async () => {
    const conn = await connect(target('deploy', { hostKeyFingerprint: null }));
    expect(conn.hostKey).toEqual({ fingerprint: sshd.hostKeyFingerprint, algorithm: 'ssh-ed25519', matchedPin: false });
    const r = await conn.exec('whoami');
    expect(r).toMatchObject({ code: 0, stdout: `${sshd.user('deploy').username}\n`, stderr: '' });
  });

  it('logs in with a key against a pinned fingerprint', async () => {
    const conn = await connect(target('root'));
    expect(conn.hostKey.matchedPin).toBe(true);
    expect((await conn.exec('id -u')).stdout.trim()).toBe('0');
  });

  it('logs in with a passphrase-protected key', async () => {
    const conn = await connect(target('phrase'));
    expect((await conn.exec('whoami')).stdout.trim()).toBe(sshd.user('phrase').username);
  });

  it('a wrong passphrase is an SshAuthError that does not leak the passphrase', async () => {
    const u = sshd.user('phrase');
    const err = await connectSsh(target('phrase', { auth: { type: 'key', privateKey: u.privateKey!, passphrase: 'wrong guess' } })).catch((e) => e);
    expect(err).toBeInstanceOf(SshAuthError);
    expect(err.reason).toBe('key_unreadable');
    expect(`${err.message} ${err.detail}`).not.toContain('wrong guess');
  });

  it('a wrong password is an SshAuthError; neither message nor detail holds it, the message no host', async () => {
    const err = await connectSsh(target('deploy', { auth: { type: 'password', password: 'nope-not-it' } })).catch((e) => e);
    expect(err).toBeInstanceOf(SshAuthError);
    expect(err.reason).toBe('rejected');
    expect(err.message).not.toContain('127.0.0.1');
    expect(`${err.message} ${err.detail}`).not.toContain('nope-not-it');
    expect(err.detail).toContain(`127.0.0.1:${sshd.port}`);
  });

  it('a closed port is an SshConnectError (refused)', async () => {
    const port = await freePort();
    const err = await connectSsh(target('root', { port })).catch((e) => e);
    expect(err).toBeInstanceOf(SshConnectError);
    expect(err.reason).toBe('refused');
    expect(err.message).not.toContain('127.0.0.1');
  });

  it('exit codes, stderr and stdin come through', async () => {
    const conn = await connect(target('root'));
    expect(await conn.exec('echo oops >&2; exit 3')).toMatchObject({ code: 3, stdout: '', stderr: 'oops\n' });
    expect((await conn.exec('cat', { stdin: 'from stdin' })).stdout).toBe('from stdin');
    const big = Buffer.alloc(300_000, 'x');
    expect((await conn.exec('wc -c', { stdin: big })).stdout.trim()).toBe('300000');
    // Commands that read stdin get EOF instead of hanging.
    expect((await conn.exec('cat; echo done', { timeoutMs: 5000 })).stdout).toBe('done\n');
  });

  it('streams many lines in order on both streams, multi-byte characters intact', async () => {
    const conn = await connect(target('root'));
    const out: string[] = [];
    const err: string[] = [];
    const o = lineSplitter((l) => out.push(l));
    const e = lineSplitter((l) => err.push(l));
    const r = await conn.exec('i=1; while [ $i -le 5000 ]; do echo "out $i ü€"; echo "err $i" >&2; i=$((i+1)); done', {
      onStdout: o.push,
      onStderr: e.push,
    });
    o.flush();
    e.flush();
    expect(r.code).toBe(0);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => `out ${i + 1} ü€`));
    expect(err).toEqual(Array.from({ length: 5000 }, (_, i) => `err ${i + 1}`));
    expect(r.stdout).toBe(out.map((l) => `${l}\n`).join(''));
  });

  it('delivers output while the command is still running', async () => {
    const conn = await connect(target('root'));
    const marker = path.join(os.tmpdir(), `gatehouse-stream-${process.pid}-${Date.now()}`);
    // The command waits for a file that only our onStdout callback creates: it can only finish
    // if the first line reached us before the command ended.
    const r = await conn.exec(cmd`echo first; while [ ! -e ${marker} ]; do sleep 0.02; done; echo second; rm -f ${marker}`, {
      timeoutMs: 20_000,
      onStdout: (chunk) => {
        if (chunk.includes('first')) fs.writeFileSync(marker, '');
      },
    });
    expect(r.stdout).toBe('first\nsecond\n');
  });

  it.each([
    ['root', 'exec'],
    ['deploy', 'exec'],
    ['deploy', 'execPrivileged'],
  ] as const)('as %s, %s past its timeout: the remote process is killed, the connection stays usable', async (label, method) => {
    const conn = await connect(target(label));
    let pid = 0;
    const err = await conn[method]('echo $$; exec sleep 60', { timeoutMs: 700, onStdout: (c) => (pid = Number.parseInt(c, 10)) }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SshCommandTimeoutError);
    expect(err.message).toBe('A remote command did not finish within 0.7 s and was stopped.');
    expect(pid).toBeGreaterThan(0);
    // The error is raised after the kill, so the process is gone (or a zombie about to be reaped).
    await waitFor(() => !pidAlive(pid) || /^Z/.test(procState(pid)), { timeoutMs: 10_000, description: 'the timed-out command to be killed' });
    expect((await conn.exec('echo still here')).stdout).toBe('still here\n');
  });

  it('execPrivileged runs as is for root and through sudo -n for a NOPASSWD user', async () => {
    const root = await connect(target('root'));
    expect(await root.isRoot()).toBe(true);
    expect((await root.execPrivileged('id -u')).stdout.trim()).toBe('0');

    const deploy = await connect(target('deploy'));
    expect(await deploy.isRoot()).toBe(false);
    expect((await deploy.exec('id -u')).stdout.trim()).toBe(String(sshd.user('deploy').uid));
    const r = await deploy.execPrivileged(`id -u; printf %s "it's \\"quoted\\" \\$HOME"`);
    expect(r.stdout).toBe(`0\nit's "quoted" $HOME`);
    expect((await deploy.execPrivileged('exit 4')).code).toBe(4);
  });

  it('a user whose sudo needs a password gets SudoPasswordRequiredError, and nothing ran', async () => {
    const conn = await connect(target('askpw'));
    const marker = path.join(os.tmpdir(), `gatehouse-sudo-${process.pid}-${Date.now()}`);
    const err = await conn.execPrivileged(cmd`touch ${marker}`).catch((e) => e);
    expect(err).toBeInstanceOf(SudoPasswordRequiredError);
    expect(err.message).toMatch(/NOPASSWD/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('sftp: write, read, rename, missing file is null, mode applied', async () => {
    const conn = await connect(target('deploy'));
    const home = sshd.user('deploy').home;
    const dir = `${home}/sftp-${Date.now()}/a/b`;
    await conn.mkdirp(dir);
    await conn.writeFile(`${dir}/one.txt`, 'héllo\n', { mode: 0o640 });
    expect(fs.statSync(`${dir}/one.txt`).mode & 0o777).toBe(0o640);
    await conn.writeFile(`${dir}/two.txt`, 'replaced');
    await conn.rename(`${dir}/one.txt`, `${dir}/two.txt`);
    expect(await conn.readFile(`${dir}/two.txt`)).toBe('héllo\n');
    expect(await conn.readFile(`${dir}/one.txt`)).toBeNull();
    await conn.writeFile(`${dir}/two.txt`, 'x', { mode: 0o600 });
    expect(fs.statSync(`${dir}/two.txt`).mode & 0o777).toBe(0o600);
  });

  it('putFilePrivileged writes a root-owned 0600 file for a sudo user and leaves no temp file', async () => {
    const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-rootdir-'));
    fs.chmodSync(rootDir, 0o755);
    try {
      const conn = await connect(target('deploy'));
      const before = fs.readdirSync('/tmp').filter((f) => f.startsWith('.gatehouse-'));
      const file = path.join(rootDir, "secret key's.pem");
      await conn.putFilePrivileged(file, 'PRIVATE\n', 0o600);
      const st = fs.statSync(file);
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.uid).toBe(0);
      expect(fs.readFileSync(file, 'utf8')).toBe('PRIVATE\n');
      await conn.putFilePrivileged(file, 'NEWER\n', 0o644);
      expect(fs.statSync(file).mode & 0o777).toBe(0o644);
      expect(fs.readFileSync(file, 'utf8')).toBe('NEWER\n');
      expect(fs.readdirSync(rootDir)).toEqual(["secret key's.pem"]);
      expect(fs.readdirSync('/tmp').filter((f) => f.startsWith('.gatehouse-'))).toEqual(before);

      const askpw = await connect(target('askpw'));
      const err = await askpw.putFilePrivileged(path.join(rootDir, 'x'), 'x', 0o600).catch((e) => e);
      expect(err).toBeInstanceOf(SudoPasswordRequiredError);
      expect(fs.readdirSync('/tmp').filter((f) => f.startsWith('.gatehouse-'))).toEqual(before);
    } finally {
      fs.rmSync(rootDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!enabled)('host key pinning', () => {
  let sshd: SshdInstance;
  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'root' }] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('a changed host key is refused with HostKeyMismatchError before anything runs', async () => {
    const root = sshd.user('root');
    const pinned = sshd.hostKeyFingerprint;
    const t: SshTarget = { host: sshd.host, port: sshd.port, username: 'root', auth: { type: 'key', privateKey: root.privateKey! }, hostKeyFingerprint: pinned };
    const ok = await connectSsh(t);
    ok.close();

    const rotated = await sshd.rotateHostKey();
    expect(rotated).not.toBe(pinned);
    const accepted = () => (fs.readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;
    const before = accepted();
    const err = await connectSsh(t).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(err).toMatchObject({ code: 'host_key_mismatch', expected: pinned, actual: rotated });
    expect(err.message).not.toContain('127.0.0.1');
    // The refusal happens during key exchange: sshd never saw us authenticate.
    expect(accepted()).toBe(before);

    const tofu = await connectSsh({ ...t, hostKeyFingerprint: null });
    expect(tofu.hostKey).toMatchObject({ fingerprint: rotated, matchedPin: false });
    tofu.close();
  });
});

describe.skipIf(!enabled)('command shell: start-up files run once per connection', () => {
  let sshd: SshdInstance;
  let counter: string;
  beforeAll(async () => {
    sshd = await startSshd({ users: [{ name: 'noisy' }] });
    const u = sshd.user('noisy');
    counter = path.join(u.home, 'bashrc-count');
    // A .bashrc that is slow-ish and chatty before the interactive guard, like real ones.
    const bashrc = path.join(u.home, '.bashrc');
    fs.writeFileSync(bashrc, `echo x >> ${counter}\necho "noise from bashrc"\necho "noise on stderr" >&2\n${fs.readFileSync(bashrc, 'utf8')}`);
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  const connectNoisy = (commandShell: boolean) => {
    const u = sshd.user('noisy');
    return connectSsh(
      { host: sshd.host, port: sshd.port, username: u.username, auth: { type: 'key', privateKey: u.privateKey! }, hostKeyFingerprint: null },
      { commandShell },
    );
  };
  const sourced = () => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0);

  it('sources .bashrc once for many commands, and its noise never reaches command output', async () => {
    fs.rmSync(counter, { force: true });
    const conn = await connectNoisy(true);
    try {
      for (let i = 0; i < 10; i++) expect(await conn.exec(`echo ${i}; echo e${i} >&2`)).toMatchObject({ code: 0, stdout: `${i}\n`, stderr: `e${i}\n` });
      expect(sourced()).toBe(1);
    } finally {
      conn.close();
    }
  });

  it('without the command shell every command pays for .bashrc (what the shell saves)', async () => {
    fs.rmSync(counter, { force: true });
    const conn = await connectNoisy(false);
    try {
      for (let i = 0; i < 3; i++) expect((await conn.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
      expect(sourced()).toBe(3);
    } finally {
      conn.close();
    }
  });

  it('commands are isolated: syntax errors, exit, cd and variables do not leak into the next one', async () => {
    const conn = await connectNoisy(true);
    try {
      const bad = await conn.exec("echo 'unterminated");
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/unterminated|Syntax error|EOF/i);
      expect((await conn.exec('exit 7')).code).toBe(7);
      await conn.exec('cd /; X=leak; export Y=leak');
      expect((await conn.exec('pwd; echo "[$X$Y]"')).stdout).toBe(`${sshd.user('noisy').home}\n[]\n`);
      expect((await conn.exec("printf 'no newline'")).stdout).toBe('no newline');
      expect((await conn.exec("printf '\\036GH-END-fake 0\\036 after'")).stdout).toBe('\u001eGH-END-fake 0\u001e after');
      // A background job that keeps stdout open must not hold the command (or the next) up.
      expect((await conn.exec('sleep 30 & echo started')).stdout).toBe('started\n');
      expect((await conn.exec('echo next')).stdout).toBe('next\n');
      expect((await conn.exec('cat', { stdin: 'own channel for stdin' })).stdout).toBe('own channel for stdin');
    } finally {
      conn.close();
    }
  });
});
