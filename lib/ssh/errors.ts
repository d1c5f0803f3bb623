import { ServerUnreachableError } from '../errors';

const SSH_ERROR = Symbol.for('gatehouse.SshError');

/**
 * Typed SSH failures. `message` is shown to users and sent in alerts, so it never names the host,
 * an address or a secret; `detail` carries the technical text (it may name the host, never a
 * password or key) for task logs and server-side logs.
 *
 * `instanceof` works across copies of this module (Next.js bundles lib/ once per layer and the
 * SSH pool, a process-wide singleton, throws the classes of the copy that made it): an object
 * branded as an SshError is an instance of SshError, and of a subclass when its `code` is that
 * subclass's static `code`.
 */
export abstract class SshError extends Error {
  abstract readonly code: string;
  readonly detail: string | undefined;

  static [Symbol.hasInstance](this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[SSH_ERROR] !== true) return false;
    const code = (this as unknown as { code?: string }).code;
    return this === SshError || (code !== undefined && (value as SshError).code === code);
  }

  constructor(message: string, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }

  /** Did the server (or the network) fail to answer in time, rather than answer no? */
  get timedOut(): boolean {
    return false;
  }

  /** The cause in one word, for `details.reason` of the API error and for scripts. */
  get failure(): string {
    return this.code.replace(/^ssh_/, '');
  }

  /** The typed API error every caller answers with: 502 `server_unreachable` or 504 `server_timeout`. */
  toAppError(): ServerUnreachableError {
    return new ServerUnreachableError(this.message, this.failure, this.timedOut);
  }
}
Object.defineProperty(SshError.prototype, SSH_ERROR, { value: true });

/** Any SshError, from whichever copy of this module (see SshError). */
export const isSshError = (err: unknown): err is SshError => err instanceof SshError;

export type ConnectFailure = 'refused' | 'timeout' | 'unreachable' | 'dns' | 'closed' | 'protocol';

const connectMessages: Record<ConnectFailure, string> = {
  refused: 'The SSH port refused the connection. Check the port and that sshd is running.',
  timeout: 'Timed out while connecting to the SSH port.',
  unreachable: 'The server is unreachable from Gatehouse.',
  dns: 'The server name could not be resolved.',
  closed: 'The SSH server closed the connection before it was ready.',
  protocol: 'The SSH handshake failed (no common algorithms or not an SSH server).',
};

export class SshConnectError extends SshError {
  static readonly code = 'ssh_connect_failed';
  readonly code = 'ssh_connect_failed';
  constructor(readonly reason: ConnectFailure, detail?: string) {
    super(connectMessages[reason], detail);
  }

  override get timedOut(): boolean {
    return this.reason === 'timeout';
  }

  override get failure(): string {
    return this.reason;
  }
}

export type AuthFailure = 'rejected' | 'key_unreadable';

export class SshAuthError extends SshError {
  static readonly code = 'ssh_auth_failed';
  readonly code = 'ssh_auth_failed';
  constructor(readonly reason: AuthFailure, detail?: string) {
    super(
      reason === 'rejected'
        ? 'SSH authentication failed: the server rejected the user name, password or key.'
        : 'The private key could not be read (wrong passphrase, or not an OpenSSH/PEM private key).',
      detail,
    );
  }

  override get failure(): string {
    return this.reason === 'rejected' ? 'auth_failed' : 'key_unreadable';
  }
}

/** The server presented a host key other than the pinned one; nothing was sent to it. */
export class HostKeyMismatchError extends SshError {
  static readonly code = 'host_key_mismatch';
  readonly code = 'host_key_mismatch';
  constructor(readonly expected: string, readonly actual: string, detail?: string) {
    super(
      `The server's host key changed (expected ${expected}, got ${actual}). Nothing was run. ` +
        'If the change is expected (reinstall, new key), an admin must trust the new key.',
      detail,
    );
  }
}

export class SudoPasswordRequiredError extends SshError {
  static readonly code = 'sudo_password_required';
  readonly code = 'sudo_password_required';
  constructor(detail?: string) {
    super(
      'This SSH user needs a password for sudo. Gatehouse runs sudo non-interactively (sudo -n): ' +
        'allow passwordless sudo for this user (NOPASSWD in sudoers) or connect as root.',
      detail,
    );
  }
}

export class SudoNotAllowedError extends SshError {
  static readonly code = 'sudo_not_allowed';
  readonly code = 'sudo_not_allowed';
  constructor(detail?: string) {
    super('This SSH user is not root and may not use sudo (or sudo is not installed).', detail);
  }
}

export class SshCommandTimeoutError extends SshError {
  static readonly code = 'ssh_command_timeout';
  readonly code = 'ssh_command_timeout';
  constructor(readonly timeoutMs: number, detail?: string) {
    const seconds = timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : String(Math.round(timeoutMs / 1000));
    super(`A remote command did not finish within ${seconds} s and was stopped.`, detail);
  }

  override get timedOut(): boolean {
    return true;
  }
}

export class SshConnectionLostError extends SshError {
  static readonly code = 'ssh_connection_lost';
  readonly code = 'ssh_connection_lost';
  constructor(detail?: string) {
    super('The SSH connection was lost while a command was running.', detail);
  }
}

export class SshFileError extends SshError {
  static readonly code = 'ssh_file_error';
  readonly code = 'ssh_file_error';
  constructor(message: string, detail?: string) {
    super(message, detail);
  }
}

/** Removes secrets from text that came out of a library before it goes into `detail`. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}
