/**
 * Typed SSH failures. `message` is shown to users and sent in alerts, so it never names the host,
 * an address or a secret; `detail` carries the technical text (it may name the host, never a
 * password or key) for task logs and server-side logs.
 */
export abstract class SshError extends Error {
  abstract readonly code: string;
  readonly detail: string | undefined;

  constructor(message: string, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }
}

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
  readonly code = 'ssh_connect_failed';
  constructor(readonly reason: ConnectFailure, detail?: string) {
    super(connectMessages[reason], detail);
  }
}

export type AuthFailure = 'rejected' | 'key_unreadable';

export class SshAuthError extends SshError {
  readonly code = 'ssh_auth_failed';
  constructor(readonly reason: AuthFailure, detail?: string) {
    super(
      reason === 'rejected'
        ? 'SSH authentication failed: the server rejected the user name, password or key.'
        : 'The private key could not be read (wrong passphrase, or not an OpenSSH/PEM private key).',
      detail,
    );
  }
}

/** The server presented a host key other than the pinned one; nothing was sent to it. */
export class HostKeyMismatchError extends SshError {
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
  readonly code = 'sudo_not_allowed';
  constructor(detail?: string) {
    super('This SSH user is not root and may not use sudo (or sudo is not installed).', detail);
  }
}

export class SshCommandTimeoutError extends SshError {
  readonly code = 'ssh_command_timeout';
  constructor(readonly timeoutMs: number, detail?: string) {
    const seconds = timeoutMs < 10_000 ? (timeoutMs / 1000).toFixed(1) : String(Math.round(timeoutMs / 1000));
    super(`A remote command did not finish within ${seconds} s and was stopped.`, detail);
  }
}

export class SshConnectionLostError extends SshError {
  readonly code = 'ssh_connection_lost';
  constructor(detail?: string) {
    super('The SSH connection was lost while a command was running.', detail);
  }
}

export class SshFileError extends SshError {
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
