import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from 'ssh2';
import { CommandShell } from '@/lib/ssh/command-shell';

/**
 * The command shell's protocol against the real /bin/sh, with sshd replaced by a local child
 * process whose output is handed over ONE BYTE AT A TIME: every marker and every multi-byte
 * character is split across "packets", the worst case of what SSH may deliver.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function localClient(startupNoise = ''): Client {
  return {
    exec(command: string, cb: (err: Error | undefined, channel: unknown) => void) {
      const child = spawn('/bin/sh', ['-c', `${startupNoise}${command}`], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      children.push(child);
      const channel = Object.assign(new EventEmitter(), {
        stderr: new EventEmitter(),
        write: (s: string) => child.stdin!.write(s),
        close: () => child.kill('SIGKILL'),
      });
      const bytewise = (target: EventEmitter) => (b: Buffer) => {
        for (let i = 0; i < b.length; i++) target.emit('data', b.subarray(i, i + 1));
      };
      child.stdout!.on('data', bytewise(channel));
      child.stderr!.on('data', bytewise(channel.stderr));
      child.on('close', () => channel.emit('close'));
      cb(undefined, channel);
    },
  } as unknown as Client;
}

describe('CommandShell protocol (real /bin/sh, byte-by-byte delivery)', () => {
  it('runs commands in order with separate output, exit codes and intact UTF-8', async () => {
    const shell = await CommandShell.open(localClient(), () => undefined);
    expect(await shell.run('echo "héllo €"; echo oops >&2; exit 4', {})).toEqual({
      code: 4,
      signal: null,
      stdout: 'héllo €\n',
      stderr: 'oops\n',
      truncated: false,
    });
    expect(await shell.run('printf %s no-newline', {})).toMatchObject({ code: 0, stdout: 'no-newline', stderr: '' });
    expect(shell.pgid).toBeGreaterThan(0);
    shell.close();
  });

  it('drops whatever start-up files print before the shell is ready', async () => {
    const shell = await CommandShell.open(localClient('echo motd; echo warn >&2; '), () => undefined);
    expect(await shell.run('echo real', {})).toMatchObject({ stdout: 'real\n', stderr: '' });
    shell.close();
  });

  it('streams through the callbacks, and record separators in output pass through', async () => {
    const shell = await CommandShell.open(localClient(), () => undefined);
    let streamed = '';
    const r = await shell.run("printf 'a\\036b\\036GH-END-x 1\\036\\n'; seq 1 200", { onStdout: (c) => (streamed += c) });
    const expected = `a\u001eb\u001eGH-END-x 1\u001e\n${Array.from({ length: 200 }, (_, i) => `${i + 1}\n`).join('')}`;
    expect(r.stdout).toBe(expected);
    expect(streamed).toBe(expected);
    shell.close();
  });

  it('keeps at most maxBufferBytes and says so', async () => {
    const shell = await CommandShell.open(localClient(), () => undefined);
    const r = await shell.run('seq 1 1000', { maxBufferBytes: 100 });
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(100);
    shell.close();
  });

  it('a shell that dies rejects the running command and reports its end', async () => {
    let ended: Error | null = null;
    const shell = await CommandShell.open(localClient(), (e) => (ended = e));
    // Its own process group (detached), like an sshd session: end the whole group.
    await expect(shell.run('kill -KILL 0', {})).rejects.toThrow(/command shell ended/);
    expect(ended).not.toBeNull();
    expect(shell.dead).toBe(true);
  });
});
