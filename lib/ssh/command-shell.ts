import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import type { ExecOptions, ExecResult } from './exec';
import { shq } from './quote';

/**
 * A long-lived `/bin/sh -s` on one exec channel that runs commands one after another.
 *
 * Why: sshd starts every exec request through the login shell, and Debian's bash then sources
 * ~/.bashrc (SSH_SOURCE_BASHRC). A .bashrc running `pyenv init` costs 150 ms per command on this
 * very machine; PERFORMANCE.md saw 0.9 s. A command shell pays that once, then each command
 * costs one round trip plus a fork of sh.
 *
 * Protocol: each command runs as `/bin/sh -c <quoted>` (a syntax error stays in that child,
 * stdin is /dev/null so it cannot eat the next request), then the shell prints an end marker
 * with a per-command random token on both streams; stdout's carries the exit status. Bytes
 * before the markers are the command's output. Everything a start-up file prints before our
 * ready marker is discarded.
 */
const RS = '\u001e';

interface Pending {
  token: string;
  opts: ExecOptions;
  out: { stdout: string; stderr: string; truncated: boolean };
  code: number | null;
  stdoutDone: boolean;
  stderrDone: boolean;
  resolve(r: ExecResult): void;
  reject(e: Error): void;
}

export class CommandShell {
  /** The shell's PID, which is also its process group (sshd makes it a session leader). */
  pgid: number | null = null;
  dead = false;
  private current: Pending | null = null;
  private ready = { stdout: false, stderr: false };
  private buf = { stdout: '', stderr: '' };
  private readonly dec = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  private constructor(private readonly channel: ClientChannel, private readonly onEnd: (err: Error) => void) {
    channel.on('data', (b: Buffer) => this.onData('stdout', this.dec.stdout.write(b)));
    channel.stderr.on('data', (b: Buffer) => this.onData('stderr', this.dec.stderr.write(b)));
    channel.on('close', () => this.fail(new Error('the command shell ended')));
    channel.write(`printf '\\036GH-READY %s\\036' "$$"; printf '\\036GH-READY\\036' >&2\n`);
  }

  /** Opens the channel; commands may be sent at once (they queue in the channel). */
  static open(client: Client, onEnd: (err: Error) => void): Promise<CommandShell> {
    return new Promise((resolve, reject) => {
      try {
        client.exec('exec /bin/sh -s', (err, channel) => (err ? reject(err) : resolve(new CommandShell(channel, onEnd))));
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  /** Runs one command; the caller must not start another before this settles. */
  run(command: string, opts: ExecOptions): Promise<ExecResult> {
    if (this.dead) return Promise.reject(new Error('the command shell ended'));
    const token = randomBytes(9).toString('hex');
    return new Promise<ExecResult>((resolve, reject) => {
      this.current = {
        token,
        opts,
        out: { stdout: '', stderr: '', truncated: false },
        code: null,
        stdoutDone: false,
        stderrDone: false,
        resolve,
        reject,
      };
      this.channel.write(
        `/bin/sh -c ${shq(command)} </dev/null; __gh=$?; ` +
          `printf '\\036GH-END-${token} %s\\036' "$__gh"; printf '\\036GH-END-${token}\\036' >&2\n`,
      );
    });
  }

  /** Ends the shell; a command still running is rejected with `err`. */
  close(err = new Error('the command shell was closed')): void {
    this.fail(err);
    this.channel.close();
  }

  private onData(stream: 'stdout' | 'stderr', text: string): void {
    this.buf[stream] += text;
    if (!this.ready[stream]) {
      const m = this.buf[stream].match(/\u001eGH-READY(?: (\d+))?\u001e/);
      if (!m) return;
      if (m[1]) this.pgid = Number.parseInt(m[1], 10);
      this.ready[stream] = true;
      this.buf[stream] = this.buf[stream].slice(m.index! + m[0].length);
    }
    this.drain(stream);
  }

  private drain(stream: 'stdout' | 'stderr'): void {
    const cur = this.current;
    if (!cur) {
      // Late output of a background job from an earlier command: nobody's to report.
      this.buf[stream] = '';
      return;
    }
    const text = this.buf[stream];
    const marker = `${RS}GH-END-${cur.token}`;
    const at = text.indexOf(marker);
    if (at === -1) {
      // Hold back a possible start of the marker split across packets, and only that: a command's
      // own \036 (the deploy script's step markers end with one) is passed on at once.
      const rs = text.lastIndexOf(RS);
      const keep = rs !== -1 && marker.startsWith(text.slice(rs)) ? rs : text.length;
      this.emit(cur, stream, text.slice(0, keep));
      this.buf[stream] = text.slice(keep);
      return;
    }
    const end = text.indexOf(RS, at + 1);
    if (end === -1) {
      this.emit(cur, stream, text.slice(0, at));
      this.buf[stream] = text.slice(at);
      return;
    }
    this.emit(cur, stream, text.slice(0, at));
    if (stream === 'stdout') {
      cur.code = Number.parseInt(text.slice(at + marker.length + 1, end), 10);
      cur.stdoutDone = true;
    } else cur.stderrDone = true;
    this.buf[stream] = text.slice(end + 1);
    if (cur.stdoutDone && cur.stderrDone) {
      this.current = null;
      cur.resolve({ code: Number.isNaN(cur.code) ? null : cur.code, signal: null, ...cur.out });
    }
  }

  private emit(cur: Pending, stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    (stream === 'stdout' ? cur.opts.onStdout : cur.opts.onStderr)?.(text);
    const max = cur.opts.maxBufferBytes ?? 16 * 1024 * 1024;
    if (cur.out[stream].length + text.length <= max) cur.out[stream] += text;
    else cur.out.truncated = true;
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = true;
    const cur = this.current;
    this.current = null;
    cur?.reject(err);
    this.onEnd(err);
  }
}
