import type { Client, SFTPWrapper } from 'ssh2';
import type { HostKeyInfo, SshTarget } from './client';
import { CommandShell } from './command-shell';
import { scrub, SshCommandTimeoutError, SshConnectionLostError, SshError } from './errors';
import { collect, killGroupScript, wrapCommand, type ExecOptions, type ExecResult } from './exec';
import * as files from './files';
import { sudoFailure, sudoWrap } from './sudo';

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * One authenticated SSH connection; commands run over channels multiplexed on it.
 *
 * Shell start-up files: sshd runs every exec request as `<login shell> -c <text>`, and Debian's
 * bash (built with SSH_SOURCE_BASHRC) then sources ~/.bashrc although it is not interactive; no
 * client option prevents that. So commands go through long-lived command shells (one per
 * concurrent command, see command-shell.ts) that pay for the start-up files once per connection,
 * never with a pty (stock .bashrc files return at once without `i` in `$-`), and whatever the
 * start-up files print is dropped. Only a command with `stdin` gets a fresh channel (exec.ts).
 */
export class SshConnection {
  private closedReason: Error | null = null;
  private readonly closeListeners = new Set<(err: Error) => void>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private uid: Promise<number> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private readonly idleShells: CommandShell[] = [];

  constructor(
    private readonly client: Client,
    readonly target: Readonly<SshTarget>,
    readonly hostKey: HostKeyInfo,
    private readonly maxChannels: number,
    private readonly useShells = true,
  ) {
    const onGone = (err?: Error) => this.markClosed(err ?? new SshConnectionLostError(this.detail('closed')));
    client.on('error', (err) => onGone(new SshConnectionLostError(this.detail(err.message))));
    client.on('close', () => onGone());
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** Called once when the connection ends for any reason (idle close, network, server). */
  onClose(listener: (err: Error) => void): () => void {
    if (this.closedReason) queueMicrotask(() => listener(this.closedReason!));
    else this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.markClosed(new SshConnectionLostError('closed by Gatehouse'));
    for (const shell of this.idleShells.splice(0)) shell.close();
    this.client.end();
  }

  /** Runs `command` with /bin/sh as the login user, streaming output as it arrives. */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(command, opts, false);
  }

  /** Runs as root: as is when logged in as root, else through `sudo -n` (never prompts). */
  async execPrivileged(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (await this.isRoot()) return this.run(command, opts, false);
    const result = await this.run(sudoWrap(command), opts, true);
    const failure = sudoFailure(result, this.detail(`sudo as ${this.target.username}`));
    if (failure) throw failure;
    return result;
  }

  /** True when the login user is uid 0; asked once per connection. */
  isRoot(): Promise<boolean> {
    if (this.target.username === 'root') return Promise.resolve(true);
    this.uid ??= this.exec('id -u', { timeoutMs: 15_000 }).then(
      (r) => Number.parseInt(r.stdout.trim(), 10),
      (err: unknown) => {
        this.uid = undefined; // ask again next time rather than remember a failure
        throw err;
      },
    );
    return this.uid.then((uid) => uid === 0);
  }

  /** The connection's SFTP session, opened on first use and kept. */
  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
    }).catch((err: Error) => {
      this.sftpSession = undefined;
      throw files.fileError('Could not open an SFTP session.', this.detail(err.message));
    });
    return this.sftpSession;
  }

  /** File content as UTF-8, or null when the file does not exist. */
  readFile(path: string): Promise<string | null> {
    return files.readFile(this, path);
  }

  /** Writes (creating with `mode`, then chmod so an existing file gets it too). */
  writeFile(path: string, content: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
    return files.writeFile(this, path, content, opts.mode ?? 0o644);
  }

  /** Atomic replace where the server supports posix-rename (OpenSSH does). */
  rename(from: string, to: string): Promise<void> {
    return files.rename(this, from, to);
  }

  mkdirp(path: string, opts: { privileged?: boolean } = {}): Promise<void> {
    return files.mkdirp(this, path, opts.privileged ?? false);
  }

  /** Writes a root-owned file: upload to a private temp file, then `install -m` and `mv` as root. */
  putFilePrivileged(path: string, content: string | Buffer, mode: number): Promise<void> {
    return files.putFilePrivileged(this, path, content, mode);
  }

  /** Technical context for error details: names the host, never a secret. */
  detail(text: string): string {
    const { host, port, username, auth } = this.target;
    const secrets = auth.type === 'password' ? [auth.password] : [auth.privateKey, auth.passphrase];
    return scrub(`${username}@${host}:${port}: ${text}`, secrets);
  }

  private async run(command: string, opts: ExecOptions, viaSudo: boolean): Promise<ExecResult> {
    if (command.includes('\0')) throw new TypeError('commands cannot contain NUL bytes');
    // Every slot may be held by commands that are timing out, so the kill runs outside the limit.
    const kill = (pgid: number) =>
      this.runChannel(viaSudo ? sudoWrap(killGroupScript(pgid)) : killGroupScript(pgid), { timeoutMs: 15_000 }, null);
    await this.acquire();
    try {
      // A command with stdin needs a channel of its own: a command shell's stdin carries requests.
      if (opts.stdin !== undefined || !this.useShells) return await this.runChannel(command, opts, kill);
      return await this.runInShell(command, opts, kill);
    } finally {
      this.release();
    }
  }

  private async runInShell(command: string, opts: ExecOptions, kill: (pgid: number) => Promise<unknown>): Promise<ExecResult> {
    if (this.closedReason) throw this.closedReason;
    let shell = this.idleShells.pop();
    if (!shell) {
      const opened: CommandShell = await CommandShell.open(this.client, () => {
        const i = this.idleShells.indexOf(opened);
        if (i !== -1) this.idleShells.splice(i, 1);
      }).catch((err: Error) => {
        throw this.closedReason ?? new SshConnectionLostError(this.detail(`opening a command shell: ${err.message}`));
      });
      shell = opened;
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = Symbol('timeout');
    const expiry = new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), timeoutMs)));
    try {
      const result = await Promise.race([shell.run(command, opts), expiry]);
      if (result !== timedOut) return result;
      // The shell and everything it started share one process group: end them all and
      // report the timeout only once they are gone (best effort). The shell is not reused.
      if (shell.pgid) await kill(shell.pgid).catch(() => undefined);
      shell.close();
      throw new SshCommandTimeoutError(timeoutMs, this.detail(`timed out: ${command.slice(0, 200)}`));
    } catch (err) {
      if (err instanceof SshError) throw err;
      throw this.closedReason ?? new SshConnectionLostError(this.detail(`command shell: ${(err as Error).message}`));
    } finally {
      clearTimeout(timer);
      if (!shell.dead) this.idleShells.push(shell);
    }
  }

  private runChannel(command: string, opts: ExecOptions, kill: ((pgid: number) => Promise<unknown>) | null): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.closedReason) return reject(this.closedReason);
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let pgid: number | null = null;
      let timedOut = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stopWatching();
        fn();
      };
      const stopWatching = this.onClose((err) => finish(() => reject(err)));
      const onTimeout = () => {
        const error = new SshCommandTimeoutError(timeoutMs, this.detail(`timed out: ${command.slice(0, 200)}`));
        // Closing the channel does not stop the remote process (sshd leaves it running), so the
        // error is reported only after its process group has been killed (best effort).
        const killing = kill && pgid ? kill(pgid).catch(() => undefined) : Promise.resolve();
        void killing.then(() => finish(() => reject(error)));
      };
      try {
        this.client.exec(wrapCommand(command), (err, channel) => {
          if (err) return finish(() => reject(new SshConnectionLostError(this.detail(err.message))));
          if (settled) return channel.close();
          timer = setTimeout(() => {
            timedOut = true;
            onTimeout();
            channel.close();
          }, timeoutMs);
          collect(
            channel,
            opts,
            (pid) => (pgid = pid),
            (result) => {
              if (!timedOut) finish(() => resolve(result));
            },
          );
          channel.end(opts.stdin ?? undefined);
        });
      } catch (err) {
        finish(() => reject(new SshConnectionLostError(this.detail((err as Error).message))));
      }
    });
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxChannels) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private markClosed(err: Error): void {
    if (this.closedReason) return;
    this.closedReason = err;
    for (const listener of this.closeListeners) listener(err);
    this.closeListeners.clear();
  }
}
