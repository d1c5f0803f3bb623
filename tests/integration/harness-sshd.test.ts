import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Client } from 'ssh2';
import { generateKeyPair, startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary, run } from '../support/process';
import { canConnect } from '../support/wait';

interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  fingerprint: string;
}

/** Connects with ssh2, runs one command, returns its output and the host key fingerprint seen. */
function ssh2Exec(
  sshd: SshdInstance,
  auth: { username: string; password?: string; privateKey?: string; passphrase?: string },
  command: string,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const conn = new Client();
    let fingerprint = '';
    conn
      .on('ready', () => {
        conn.exec(command, (err, stream) => {
          if (err) return reject(err);
          let stdout = '';
          let stderr = '';
          stream.on('data', (d: Buffer) => (stdout += d.toString()));
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          stream.on('close', (code: number | null) => {
            conn.end();
            resolve({ code, stdout, stderr, fingerprint });
          });
        });
      })
      .on('error', reject)
      .connect({
        host: sshd.host,
        port: sshd.port,
        ...auth,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
          return true;
        },
      });
  });
}

describe.skipIf(!requireBinary('sshd', 'ssh', 'ssh-keygen', 'useradd', 'sudo'))('harness: sshd', () => {
  let sshd: SshdInstance;
  let startMs = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    sshd = await startSshd({
      users: [
        { name: 'root' },
        { name: 'deploy', password: 'deploy-pw-1', sudo: 'nopasswd' },
        { name: 'strict', password: 'strict-pw-1', sudo: 'password', generateKey: 'rsa', keyPassphrase: 'kp' },
        { name: 'plain', sudo: 'none' },
      ],
    });
    startMs = Date.now() - t0;
    console.log(`[harness] sshd with 4 users ready in ${startMs} ms on port ${sshd.port}`);
  });

  afterAll(async () => {
    await sshd?.stop();
  });

  it('lets root in by key with the ssh CLI', async () => {
    const { stdout } = await run('ssh', [...sshd.sshArgs('root'), 'id -u && echo ok']);
    expect(stdout.trim().split('\n')).toEqual(['0', 'ok']);
  });

  it('reports the host key fingerprint a client sees', async () => {
    const res = await ssh2Exec(sshd, { username: 'root', privateKey: sshd.user('root').privateKey }, 'true');
    expect(res.code).toBe(0);
    expect(sshd.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(res.fingerprint).toBe(sshd.hostKeyFingerprint);
  });

  it('creates a non-root user with password login and passwordless sudo', async () => {
    const deploy = sshd.user('deploy');
    expect(deploy.username).toMatch(/^gh_[a-z0-9]{8}$/);
    const res = await ssh2Exec(sshd, { username: deploy.username, password: 'deploy-pw-1' }, 'whoami; sudo -n id -u');
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n')).toEqual([deploy.username, '0']);
  });

  it('rejects a wrong password', async () => {
    await expect(ssh2Exec(sshd, { username: sshd.user('deploy').username, password: 'nope' }, 'true')).rejects.toThrow(
      /authentication methods failed/,
    );
  });

  it('supports an encrypted rsa key and a sudo that needs a password', async () => {
    const strict = sshd.user('strict');
    expect(strict.privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
    const res = await ssh2Exec(sshd, { username: strict.username, privateKey: strict.privateKey, passphrase: 'kp' }, 'sudo -n true');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/password is required/);
    const withPw = await ssh2Exec(
      sshd,
      { username: strict.username, password: 'strict-pw-1' },
      `echo strict-pw-1 | sudo -S -p '' id -u`,
    );
    expect(withPw.stdout.trim()).toBe('0');
  });

  it('gives a user without sudo rights no sudo', async () => {
    const plain = sshd.user('plain');
    const res = await ssh2Exec(sshd, { username: plain.username, privateKey: plain.privateKey }, 'sudo -n true');
    expect(res.code).not.toBe(0);
    expect(plain.password).toBeUndefined();
  });

  it('adds a user with an externally generated key while running', async () => {
    const pair = await generateKeyPair({ type: 'ed25519' });
    const extra = await sshd.addUser({ name: 'extra', authorizedKeys: [pair.publicKey], generateKey: false });
    const res = await ssh2Exec(sshd, { username: extra.username, privateKey: pair.privateKey }, 'echo hi');
    expect(res.stdout.trim()).toBe('hi');
  });

  it('rotates the host key on the same port', async () => {
    const port = sshd.port;
    const before = sshd.hostKeyFingerprint;
    const after = await sshd.rotateHostKey();
    expect(after).not.toBe(before);
    expect(sshd.port).toBe(port);
    const res = await ssh2Exec(sshd, { username: 'root', privateKey: sshd.user('root').privateKey }, 'true');
    expect(res.fingerprint).toBe(after);
  });

  it('removes users, sudoers drop-ins and its temp dir on stop', async () => {
    const local = await startSshd({ users: [{ name: 'tmp', sudo: 'nopasswd' }] });
    const u = local.user('tmp');
    const sudoers = `/etc/sudoers.d/gatehouse-test-${u.username}`;
    expect(fs.existsSync(sudoers)).toBe(true);
    const { port, dir } = local;
    await local.stop();
    expect(fs.existsSync(sudoers)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(u.home)).toBe(false);
    await expect(run('id', [u.username])).rejects.toThrow();
    expect(await canConnect('127.0.0.1', port)).toBe(false);
  });
});
