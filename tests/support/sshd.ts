/**
 * A real OpenSSH server on 127.0.0.1:<free port> with its own config, host key, authorized-keys
 * directory and PID file in a temp dir; test users are real Linux users (gh_<random>) created for
 * the test and deleted on stop().
 *
 *   const sshd = await startSshd({ users: [{ name: 'root' }, { name: 'deploy', password: 'pw', sudo: 'nopasswd' }] });
 *   const root = sshd.user('root');        // { username: 'root', privateKey, publicKey, ... }
 *   const deploy = sshd.user('deploy');    // { username: 'gh_x1y2z3a4', password: 'pw', privateKey, ... }
 *   // ssh2: new Client().connect({ host: sshd.host, port: sshd.port, username: root.username, privateKey: root.privateKey })
 *   await sshd.rotateHostKey();            // same port, new host key: a pinned fingerprint no longer matches
 *   await sshd.stop();
 *
 * Root logs in by key only (`PermitRootLogin prohibit-password`); the harness never changes
 * root's password. Keys live in <tmp>/keys/<user> (`AuthorizedKeysFile`), not in ~/.ssh.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait';
import {
  HarnessError,
  makeTempDir,
  randomSuffix,
  registerCleanup,
  resolveBinary,
  run,
  spawnManaged,
  looksLikePortClash,
  type ManagedProcess,
} from './process';

export type SudoMode = 'nopasswd' | 'password' | 'none';
export type KeyType = 'ed25519' | 'rsa';

export interface SshUserSpec {
  /** 'root' for root; anything else is a label and a Linux user gh_<random> is created for it. */
  name?: string;
  /** Login password (not allowed for root). Without one the account has no usable password. */
  password?: string;
  /** Extra public keys (OpenSSH one-line format) to authorize. */
  authorizedKeys?: string[];
  /** Generate a keypair and authorize it (default: true, 'ed25519'). */
  generateKey?: boolean | KeyType;
  /** Passphrase for the generated private key. */
  keyPassphrase?: string;
  /** sudoers drop-in: NOPASSWD: ALL, password-required ALL, or none (default 'none'; ignored for root). */
  sudo?: SudoMode;
  /** Login shell (default /bin/bash). */
  shell?: string;
}

export interface SshUser {
  /** The label given in the spec (or the username). */
  label: string;
  /** The Linux login name: 'root' or gh_<random>. */
  username: string;
  uid: number;
  home: string;
  password?: string;
  /** Generated private key (OpenSSH PEM text), if one was generated. */
  privateKey?: string;
  publicKey?: string;
  keyPassphrase?: string;
  keyFingerprint?: string;
  /** Path of the generated private key file (mode 0600), for the ssh CLI's -i. */
  privateKeyPath?: string;
  sudo: SudoMode;
  /** Public keys authorized for this user. */
  authorizedKeys: string[];
}

export interface SshdOptions {
  users?: SshUserSpec[];
  /** Extra lines appended to sshd_config. */
  extraConfig?: string[];
}

export interface SshdInstance {
  host: '127.0.0.1';
  port: number;
  /** SHA-256 fingerprint of the current host key, as `ssh-keygen -lf` prints it: 'SHA256:...'. */
  hostKeyFingerprint: string;
  /** Current host public key, one OpenSSH line ("ssh-ed25519 AAAA... comment"). */
  hostPublicKey: string;
  users: SshUser[];
  /** Find a user by label (or username); throws if unknown. */
  user(label: string): SshUser;
  dir: string;
  logFile: string;
  pid: number;
  /** Line for a known_hosts file: "[127.0.0.1]:PORT ssh-ed25519 AAAA...". */
  knownHostsLine(): string;
  /** Arguments for the ssh CLI: ['-p', PORT, '-i', key, '-o', ..., 'user@127.0.0.1']. */
  sshArgs(label: string): string[];
  /** Creates another user while running (sshd re-reads its config). */
  addUser(spec: SshUserSpec): Promise<SshUser>;
  /** Replaces the host key and restarts sshd on the same port; returns the new fingerprint. */
  rotateHostKey(): Promise<string>;
  stop(): Promise<void>;
}

export interface KeyPair {
  type: KeyType;
  /** Private key text: OpenSSH format ("BEGIN OPENSSH PRIVATE KEY"), or PEM (PKCS#1) for rsa with format 'pem'. */
  privateKey: string;
  /** One-line OpenSSH public key. */
  publicKey: string;
  /** 'SHA256:...' */
  fingerprint: string;
}

/** Generates a keypair with ssh-keygen. */
export async function generateKeyPair(
  opts: { type?: KeyType; passphrase?: string; comment?: string; bits?: number; format?: 'openssh' | 'pem' } = {},
): Promise<KeyPair> {
  const keygen = resolveBinary('ssh-keygen');
  const type = opts.type ?? 'ed25519';
  const tmp = makeTempDir('keygen');
  try {
    const file = path.join(tmp.path, 'key');
    const args = ['-q', '-t', type, '-N', opts.passphrase ?? '', '-C', opts.comment ?? `gatehouse-test-${type}`, '-f', file];
    if (type === 'rsa') args.push('-b', String(opts.bits ?? 3072));
    if (opts.format === 'pem') args.push('-m', 'PEM');
    await run(keygen, args);
    const publicKey = fs.readFileSync(`${file}.pub`, 'utf8').trim();
    return { type, privateKey: fs.readFileSync(file, 'utf8'), publicKey, fingerprint: await fingerprintOf(`${file}.pub`) };
  } finally {
    tmp.remove();
  }
}

async function fingerprintOf(pubFile: string): Promise<string> {
  const { stdout } = await run(resolveBinary('ssh-keygen'), ['-l', '-E', 'sha256', '-f', pubFile]);
  const fp = stdout.trim().split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new HarnessError(`ssh-keygen -lf printed no fingerprint: ${stdout}`);
  return fp;
}

/** Reads the SSH identification banner ("SSH-2.0-OpenSSH_9.2p1 ...") from host:port. */
export function readSshBanner(host: string, port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buf = '';
    const finish = (err: Error | null, value?: string) => {
      socket.removeAllListeners();
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error('banner timeout')));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(null, buf.slice(0, nl).trim());
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('closed before banner')));
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<SshdInstance> {
  const sshd = resolveBinary('sshd'); // absolute path: sshd refuses to re-exec otherwise
  resolveBinary('ssh-keygen');
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir

  // 0755: sshd reads authorized keys with the user's own privileges.
  const tmp = makeTempDir('sshd', 0o755);
  const dir = tmp.path;
  const keysDir = path.join(dir, 'keys');
  const clientKeysDir = path.join(dir, 'client-keys');
  fs.mkdirSync(keysDir, { mode: 0o755 });
  fs.mkdirSync(clientKeysDir, { mode: 0o700 });
  const configFile = path.join(dir, 'sshd_config');
  const hostKeyFile = path.join(dir, 'ssh_host_ed25519_key');
  const pidFile = path.join(dir, 'sshd.pid');
  const logFile = path.join(dir, 'sshd.log');

  const users: SshUser[] = [];
  const userCleanups: Array<() => Promise<void>> = [];
  let proc: ManagedProcess | undefined;
  let port = 0;

  const writeHostKey = async () => {
    fs.rmSync(hostKeyFile, { force: true });
    fs.rmSync(`${hostKeyFile}.pub`, { force: true });
    await run(resolveBinary('ssh-keygen'), ['-q', '-t', 'ed25519', '-N', '', '-C', `gatehouse-test-host-${randomSuffix(4)}`, '-f', hostKeyFile]);
    fs.chmodSync(hostKeyFile, 0o600);
    return {
      fingerprint: await fingerprintOf(`${hostKeyFile}.pub`),
      publicKey: fs.readFileSync(`${hostKeyFile}.pub`, 'utf8').trim(),
    };
  };

  const writeConfig = () => {
    const allow = users.map((u) => u.username);
    const lines = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${pidFile}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${keysDir}/%u`,
      'PermitRootLogin prohibit-password',
      allow.length ? `AllowUsers ${allow.join(' ')}` : 'AllowUsers gatehouse-nobody',
      'Subsystem sftp internal-sftp',
      'UseDNS no',
      'PrintMotd no',
      'PrintLastLog no',
      'X11Forwarding no',
      'AllowTcpForwarding yes',
      'MaxStartups 200:30:400',
      'MaxSessions 64',
      'MaxAuthTries 10',
      'LoginGraceTime 30',
      'LogLevel VERBOSE',
      ...(opts.extraConfig ?? []),
    ];
    fs.writeFileSync(configFile, `${lines.join('\n')}\n`, { mode: 0o644 });
  };

  const listeningCount = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').match(/Server listening on 127\.0\.0\.1 port/g)?.length ?? 0 : 0);

  const waitReady = async (p: ManagedProcess, minListening: number) => {
    await waitFor(
      async () => listeningCount() >= minListening && (await readSshBanner('127.0.0.1', port)).startsWith('SSH-2.0-'),
      { timeoutMs: 15_000, description: `sshd on 127.0.0.1:${port}`, abortIf: () => p.assertAlive() },
    );
  };

  const reload = async () => {
    if (!proc) return;
    const before = listeningCount();
    writeConfig();
    await run(sshd, ['-t', '-f', configFile]);
    process.kill(proc.pid, 'SIGHUP'); // sshd re-execs itself, same PID, re-reading config and host key
    await waitReady(proc, before + 1);
  };

  const addUser = async (spec: SshUserSpec): Promise<SshUser> => {
    const isRoot = spec.name === 'root';
    const label = spec.name ?? `user${users.length + 1}`;
    if (users.some((u) => u.label === label)) throw new HarnessError(`sshd: duplicate user label ${label}`);
    if (isRoot && spec.password) throw new HarnessError('sshd: root logs in by key only; the harness never changes root\'s password');
    const username = isRoot ? 'root' : `gh_${randomSuffix(8)}`;
    const sudo: SudoMode = isRoot ? 'none' : (spec.sudo ?? 'none');
    if (!isRoot) {
      resolveBinary('useradd');
      const shell = spec.shell ?? '/bin/bash';
      try {
        await run(resolveBinary('useradd'), ['-m', '-s', shell, '-c', 'gatehouse test user', username]);
      } catch (err) {
        if (!/already exists/.test((err as Error).message)) throw err; // idempotent
      }
      const userdel = resolveBinary('userdel');
      const sudoersFile = `/etc/sudoers.d/gatehouse-test-${username}`;
      const unregister = registerCleanup({ kind: 'cmd', argv: ['/bin/sh', '-c', `rm -f ${sudoersFile}; ${userdel} -r -f ${username}`] });
      userCleanups.push(async () => {
        fs.rmSync(sudoersFile, { force: true });
        // End the test user's leftover processes (by PID) so userdel can remove the account.
        const { stdout } = await run('ps', ['-o', 'pid=', '-u', username]).catch(() => ({ stdout: '' }));
        for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        await run(userdel, ['-r', '-f', username]).catch(() => undefined);
        unregister();
      });
      if (spec.password !== undefined) {
        await run(resolveBinary('chpasswd'), [], { input: `${username}:${spec.password}\n` });
      } else {
        // '*' = no valid password but not locked: with UsePAM no, sshd refuses every method for a locked ('!') account.
        await run(resolveBinary('usermod'), ['-p', '*', username]);
      }
      if (sudo !== 'none') {
        const rule = sudo === 'nopasswd' ? `${username} ALL=(ALL:ALL) NOPASSWD: ALL` : `${username} ALL=(ALL:ALL) ALL`;
        const tmpFile = path.join(dir, `sudoers-${username}`);
        fs.writeFileSync(tmpFile, `Defaults:${username} !requiretty, !lecture\n${rule}\n`, { mode: 0o440 });
        await run(resolveBinary('visudo'), ['-c', '-q', '-f', tmpFile]);
        fs.copyFileSync(tmpFile, sudoersFile);
        fs.chmodSync(sudoersFile, 0o440);
      }
    }
    const { stdout: idOut } = await run('id', ['-u', username]);
    const home = (await run('getent', ['passwd', username])).stdout.split(':')[5] ?? '';
    const user: SshUser = { label, username, uid: Number(idOut.trim()), home, sudo, authorizedKeys: [...(spec.authorizedKeys ?? [])] };
    if (spec.password !== undefined) user.password = spec.password;
    const gen = spec.generateKey ?? true;
    if (gen || isRoot) {
      const pair = await generateKeyPair({ type: typeof gen === 'string' ? gen : 'ed25519', passphrase: spec.keyPassphrase, comment: `gatehouse-test-${label}` });
      user.privateKey = pair.privateKey;
      user.publicKey = pair.publicKey;
      user.keyFingerprint = pair.fingerprint;
      user.keyPassphrase = spec.keyPassphrase;
      user.privateKeyPath = path.join(clientKeysDir, username);
      fs.writeFileSync(user.privateKeyPath, pair.privateKey, { mode: 0o600 });
      user.authorizedKeys.push(pair.publicKey);
    }
    fs.writeFileSync(path.join(keysDir, username), `${user.authorizedKeys.join('\n')}\n`, { mode: 0o644 });
    users.push(user);
    return user;
  };

  try {
    for (const spec of opts.users ?? [{ name: 'root' }]) await addUser(spec);
    let host = await writeHostKey();

    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeConfig();
      await run(sshd, ['-t', '-f', configFile]); // config errors fail here with sshd's own message
      fs.writeFileSync(logFile, '');
      const p = spawnManaged(sshd, ['-D', '-e', '-f', configFile], { name: 'sshd', logFile, cwd: dir });
      try {
        await waitReady(p, 1);
        proc = p;
        break;
      } catch (err) {
        await p.stop();
        if (attempt < 3 && looksLikePortClash(p.logTail())) continue;
        throw new HarnessError(`${(err as Error).message}\nsshd log:\n${p.logTail()}`);
      }
    }

    const instance: SshdInstance = {
      host: '127.0.0.1',
      port,
      hostKeyFingerprint: host.fingerprint,
      hostPublicKey: host.publicKey,
      users,
      user(label: string) {
        const u = users.find((x) => x.label === label || x.username === label);
        if (!u) throw new HarnessError(`sshd: no test user ${label} (have ${users.map((x) => x.label).join(', ')})`);
        return u;
      },
      dir,
      logFile,
      get pid() {
        return proc!.pid;
      },
      knownHostsLine: () => `[127.0.0.1]:${port} ${instance.hostPublicKey.split(' ').slice(0, 2).join(' ')}`,
      sshArgs(label: string) {
        const u = instance.user(label);
        const args = ['-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes'];
        if (u.privateKeyPath) args.push('-i', u.privateKeyPath, '-o', 'IdentitiesOnly=yes');
        args.push(`${u.username}@127.0.0.1`);
        return args;
      },
      async addUser(spec: SshUserSpec) {
        const u = await addUser(spec);
        await reload();
        return u;
      },
      async rotateHostKey() {
        host = await writeHostKey();
        await reload();
        instance.hostKeyFingerprint = host.fingerprint;
        instance.hostPublicKey = host.publicKey;
        return host.fingerprint;
      },
      async stop() {
        await proc?.stop();
        for (const c of userCleanups.splice(0)) await c();
        tmp.remove();
      },
    };
    return instance;
  } catch (err) {
    await proc?.stop().catch(() => undefined);
    for (const c of userCleanups.splice(0)) await c().catch(() => undefined);
    tmp.remove();
    throw err;
  }
}
