import net from 'node:net';
import { Client, type ConnectConfig } from 'ssh2';
import { HostKeyMismatchError, scrub, SshAuthError, SshConnectError, SshError, type ConnectFailure } from './errors';
import { fingerprintOf, keyAlgorithmOf } from './host-key';
import { SshConnection } from './connection';

export { SshConnection } from './connection';
export type { ExecOptions, ExecResult } from './exec';

export type SshAuth = { type: 'password'; password: string } | { type: 'key'; privateKey: string; passphrase?: string };

/** Where and how to log in. `hostKeyFingerprint` null means "trust on first use". */
export interface SshTarget {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  hostKeyFingerprint: string | null;
}

export interface HostKeyInfo {
  fingerprint: string;
  algorithm: string;
  /** False when the target had no pin: the caller should store `fingerprint` (TOFU). */
  matchedPin: boolean;
}

export interface ConnectOptions {
  /** TCP connect + handshake + auth must finish within this. */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Concurrent commands (channels); OpenSSH's MaxSessions defaults to 10, sftp and a kill take two. */
  maxChannels?: number;
  /** Run commands through long-lived command shells (default true; see command-shell.ts). */
  commandShell?: boolean;
  /** TCP_NODELAY (default true). Only benchmarks turn it off, to show what it saves. */
  noDelay?: boolean;
}

/**
 * Connects, verifies the host key against the pin (or reports it for TOFU) and authenticates.
 * A mismatching key aborts during key exchange, before authentication: nothing is ever run.
 */
export function connectSsh(target: SshTarget, opts: ConnectOptions = {}): Promise<SshConnection> {
  const where = `${target.username}@${target.host}:${target.port}`;
  const secrets = target.auth.type === 'password' ? [target.auth.password] : [target.auth.privateKey, target.auth.passphrase];
  const client = new Client();
  let seen: { fingerprint: string; algorithm: string } | null = null;
  let mismatch: HostKeyMismatchError | null = null;

  // Our own socket so Nagle is off from the first packet: ~40 ms less per round trip
  // (PERFORMANCE.md), for the handshake and every command.
  const noDelay = opts.noDelay ?? true;
  const sock = net.connect({ host: target.host, port: target.port, noDelay });
  sock.setNoDelay(noDelay);

  const config: ConnectConfig = {
    sock,
    username: target.username,
    readyTimeout: opts.readyTimeoutMs ?? 20_000,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: opts.keepaliveCountMax ?? 3,
    hostVerifier: (key: Buffer) => {
      const actual = fingerprintOf(key);
      seen = { fingerprint: actual, algorithm: keyAlgorithmOf(key) };
      if (target.hostKeyFingerprint === null || target.hostKeyFingerprint === actual) return true;
      mismatch = new HostKeyMismatchError(target.hostKeyFingerprint, actual, `${where}: host key mismatch`);
      return false;
    },
  };
  if (target.auth.type === 'password') {
    config.password = target.auth.password;
    // Many servers only offer keyboard-interactive (PAM); answer its prompts with the password.
    config.tryKeyboard = true;
  } else {
    config.privateKey = target.auth.privateKey;
    if (target.auth.passphrase) config.passphrase = target.auth.passphrase;
  }

  return new Promise<SshConnection>((resolve, reject) => {
    let done = false;
    const fail = (err: SshError) => {
      if (done) return;
      done = true;
      sock.destroy();
      client.end();
      reject(err);
    };
    client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
      finish(prompts.map(() => (target.auth.type === 'password' ? target.auth.password : '')));
    });
    client.once('ready', () => {
      if (done) return;
      done = true;
      client.removeAllListeners('keyboard-interactive');
      const hostKey = { ...seen!, matchedPin: target.hostKeyFingerprint !== null };
      resolve(new SshConnection(client, { ...target }, hostKey, opts.maxChannels ?? 8, opts.commandShell ?? true));
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      fail(mismatch ?? classify(err, scrub(`${where}: ${err.message}`, secrets)));
    });
    client.on('close', () => fail(mismatch ?? new SshConnectError('closed', `${where}: connection closed`)));
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 parses the private key synchronously; its messages hold no key material.
      fail(new SshAuthError('key_unreadable', scrub(`${where}: ${(err as Error).message}`, secrets)));
    }
  });
}

const socketFailures: Record<string, ConnectFailure> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
};

function classify(err: Error & { level?: string; code?: string }, detail: string): SshError {
  switch (err.level) {
    case 'client-authentication':
      return new SshAuthError('rejected', detail);
    case 'client-timeout':
      return new SshConnectError('timeout', detail);
    case 'client-socket':
    case 'client-dns':
      return new SshConnectError(socketFailures[err.code ?? ''] ?? 'unreachable', detail);
    default:
      return new SshConnectError(/lost before handshake/i.test(err.message) ? 'closed' : 'protocol', detail);
  }
}
