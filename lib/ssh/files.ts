import { randomBytes } from 'node:crypto';
import type { SshConnection } from './connection';
import { SshFileError } from './errors';
import { cmd } from './quote';

// SFTP status code for "no such file" (draft-ietf-secsh-filexfer-02, SSH_FX_NO_SUCH_FILE).
const SFTP_NO_SUCH_FILE = 2;

export function fileError(message: string, detail: string): SshFileError {
  return new SshFileError(message, detail);
}

function sftpCall<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

export async function readFile(conn: SshConnection, path: string): Promise<string | null> {
  const sftp = await conn.sftp();
  try {
    const buf = await sftpCall<Buffer>((cb) => sftp.readFile(path, cb));
    return buf.toString('utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === SFTP_NO_SUCH_FILE) return null;
    throw fileError('Could not read a file on the server.', conn.detail(`read ${path}: ${(err as Error).message}`));
  }
}

export async function writeFile(conn: SshConnection, path: string, content: string | Buffer, mode: number): Promise<void> {
  const sftp = await conn.sftp();
  try {
    // `mode` only applies when the file is created (and through the server's umask): chmod after.
    await sftpCall<void>((cb) => sftp.writeFile(path, content, { mode }, (err) => cb(err)));
    await sftpCall<void>((cb) => sftp.chmod(path, mode, (err) => cb(err)));
  } catch (err) {
    const message = (err as Error).message;
    // ssh2's answer to every request still open when the channel or the connection goes away.
    const lost = conn.closed || message === 'No response from server';
    throw fileError(lost ? 'The SSH connection was lost while writing a file on the server.' : 'Could not write a file on the server.', conn.detail(`write ${path}: ${message}`));
  }
}

export async function rename(conn: SshConnection, from: string, to: string): Promise<void> {
  const sftp = await conn.sftp();
  try {
    // Plain SFTP rename fails when the target exists; OpenSSH's extension is rename(2).
    await sftpCall<void>((cb) => sftp.ext_openssh_rename(from, to, (err) => cb(err)));
  } catch (err) {
    if (!/not supported/i.test((err as Error).message)) {
      throw fileError('Could not rename a file on the server.', conn.detail(`rename ${from} -> ${to}: ${(err as Error).message}`));
    }
    await sftpCall<void>((cb) => sftp.rename(from, to, (e) => cb(e)));
  }
}

export async function mkdirp(conn: SshConnection, path: string, privileged: boolean): Promise<void> {
  const line = cmd`mkdir -p -- ${path}`;
  const r = privileged ? await conn.execPrivileged(line) : await conn.exec(line);
  if (r.code !== 0) throw fileError('Could not create a directory on the server.', conn.detail(`${line}: ${r.stderr.trim()}`));
}

/**
 * Root-owned file for a non-root login: SFTP can only write as the login user, so the content
 * goes to a 0600 temp file first and root copies it into place. `install` sets the mode on the
 * new file before it is visible, and `mv` within the target directory makes the swap atomic.
 */
export async function putFilePrivileged(conn: SshConnection, path: string, content: string | Buffer, mode: number): Promise<void> {
  const tmp = `/tmp/.gatehouse-${randomBytes(12).toString('hex')}`;
  const staged = `${path}.gatehouse-new`;
  const octal = mode.toString(8).padStart(4, '0');
  await writeFile(conn, tmp, content, 0o600);
  let moved = false;
  try {
    const r = await conn.execPrivileged(
      cmd`rc=0; install -m ${octal} -- ${tmp} ${staged} && mv -f -- ${staged} ${path} || { rc=$?; rm -f -- ${staged}; }; rm -f -- ${tmp}; exit $rc`,
    );
    moved = true;
    if (r.code !== 0) {
      throw fileError('Could not install a file on the server.', conn.detail(`install ${path}: ${r.stderr.trim()}`));
    }
  } finally {
    // When sudo refused, the privileged script (and its rm) never ran.
    if (!moved) await conn.exec(cmd`rm -f -- ${tmp}`).catch(() => undefined);
  }
}
