/**
 * Passwords for `users create` and `users set-password` come from standard input, never from an
 * argument (arguments show in `ps` and shell history): piped, the whole input is the password
 * (one trailing newline dropped); on a terminal, a prompt on stderr without echo, asked twice.
 */
import { ValidationError } from '../errors';

const MAX_BYTES = 4096;

/** The one line `--password` answers with. */
export const passwordFlagHint = (command: string) =>
  `--password is not accepted (a password in the arguments shows in ps and the shell history): use --password-stdin, e.g. printf '%s\\n' "$PASSWORD" | npm run --silent cli -- ${command} --email E --password-stdin`;

export interface PasswordInput {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

/** All of a piped stdin, as the password. */
async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_BYTES) throw ValidationError.field('password', `The password on standard input is longer than ${MAX_BYTES} bytes.`);
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw ValidationError.field('password', 'Standard input must hold the password alone, on one line.');
  return text;
}

/** One line typed on the terminal, not echoed. Ctrl-C aborts, Ctrl-D ends the line. */
function promptHidden(io: PasswordInput, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    // Echo off before the prompt shows, so nothing typed after it is echoed.
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    stderr.write(prompt);
    const done = (err: Error | null) => {
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(null);
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
        if (Buffer.byteLength(value) > MAX_BYTES) return done(ValidationError.field('password', `The password is longer than ${MAX_BYTES} bytes.`));
      }
    };
    stdin.on('data', onData);
  });
}

/** The password from standard input (see the top of this file). */
export async function readPassword(io: PasswordInput = { stdin: process.stdin, stderr: process.stderr }): Promise<string> {
  if (!io.stdin.isTTY) return readPiped(io.stdin);
  const first = await promptHidden(io, 'Password: ');
  const again = await promptHidden(io, 'Password again: ');
  if (first !== again) throw ValidationError.field('password', 'The two passwords differ.');
  return first;
}

/** The options every password-taking command checks before it reads: the hint for `--password`, and `--password-stdin` required. */
export function requirePasswordStdin(command: string, o: { password?: unknown; passwordStdin?: unknown }): void {
  if (o.password !== undefined) throw new Error(passwordFlagHint(command));
  if (!o.passwordStdin) throw new Error('--password-stdin is required: the password is read from standard input (a prompt on a terminal).');
}
