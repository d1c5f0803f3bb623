import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { shq } from './quote';

export interface ExecOptions {
  /** Default 120 s. On expiry the remote process group is killed and SshCommandTimeoutError thrown. */
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Sent, then EOF; without it the command gets EOF at once (so `cat` or a prompt cannot hang). */
  stdin?: string | Buffer;
  /** Output kept in the result per stream (default 16 MiB); callbacks still see everything. */
  maxBufferBytes?: number;
}

export interface ExecResult {
  /** Exit status, or null when the command was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/**
 * What actually goes over the wire. sshd runs exec requests as `<login shell> -c <text>`, so:
 *  - `exec /bin/sh -c` gives every command POSIX sh semantics whatever the login shell is
 *    (bash, zsh, ash), and costs nothing (exec replaces the login shell);
 *  - the first line prints a start marker on stdout and the shell's PID on stderr. Whatever
 *    comes before them was printed by start-up files, not the command, and `collect` drops it.
 *    sshd makes each session child a session and group leader, so that PID is the command's
 *    process group: a timeout can kill the whole group. OpenSSH's own "signal" channel request
 *    is no help: sshd refuses it for root logins (no post-auth privilege separation for root).
 * The printf sits on its own line so a syntax error in `command` cannot stop it.
 */
export function wrapCommand(command: string): string {
  return `exec /bin/sh -c ${shq(`printf '\\036GH-START\\036'; printf '\\036GH-PID %s\\036' "$$" >&2\n${command}`)}`;
}

const START = /\u001eGH-START\u001e/;
const PID = /\u001eGH-PID (\d+)\u001e/;

/** Shell text that ends process group `pgid`: TERM (sudo relays it), wait up to 2 s, then KILL. */
export function killGroupScript(pgid: number): string {
  // `kill -SIG -PGID`, not `kill -- -PGID`: dash's builtin kill rejects `--`.
  const g = `-${Math.trunc(pgid)}`;
  return (
    `kill -TERM ${g} 2>/dev/null || exit 0; i=0; ` +
    `while kill -0 ${g} 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; ` +
    `kill -KILL ${g} 2>/dev/null; exit 0`
  );
}

/**
 * Gathers a channel's output and exit status; `done` runs once the channel has closed.
 * `onPid` receives the remote process group as soon as the wrapper reports it.
 */
export function collect(
  channel: ClientChannel,
  opts: ExecOptions,
  onPid: (pid: number) => void,
  done: (r: ExecResult) => void,
): void {
  const maxBuffer = opts.maxBufferBytes ?? 16 * 1024 * 1024;
  const out = { stdout: '', stderr: '', truncated: false };
  const emit = (name: 'stdout' | 'stderr', text: string) => {
    if (!text) return;
    (name === 'stdout' ? opts.onStdout : opts.onStderr)?.(text);
    if (out[name].length + text.length <= maxBuffer) out[name] += text;
    else out.truncated = true;
  };
  // A decoder per stream so a multi-byte character split across packets stays whole.
  const outDecoder = new StringDecoder('utf8');
  const errDecoder = new StringDecoder('utf8');

  // Until a stream's marker arrives, its text is start-up noise: hold it, then drop it.
  const head: { stdout: string | null; stderr: string | null } = { stdout: '', stderr: '' };
  const push = (name: 'stdout' | 'stderr', text: string) => {
    const held = head[name];
    if (held === null) return emit(name, text);
    const buffered = held + text;
    const m = buffered.match(name === 'stdout' ? START : PID);
    if (!m) {
      head[name] = buffered;
      return;
    }
    if (m[1]) onPid(Number.parseInt(m[1], 10));
    head[name] = null;
    emit(name, buffered.slice(m.index! + m[0].length));
  };

  let code: number | null = null;
  let signal: string | null = null;
  channel.on('data', (b: Buffer) => push('stdout', outDecoder.write(b)));
  channel.stderr.on('data', (b: Buffer) => push('stderr', errDecoder.write(b)));
  channel.on('exit', (c: number | null, s?: string) => {
    code = typeof c === 'number' ? c : null;
    signal = s ?? null;
  });
  channel.on('close', () => {
    push('stdout', outDecoder.end());
    push('stderr', errDecoder.end());
    done({ code, signal, ...out });
  });
}
