import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/test-db';
import { requireBinary } from '../support/process';
import { waitFor } from '../support/wait';

// util-linux `script` gives the CLI a pseudo-terminal, for the prompt without echo.
const haveScript = requireBinary('script');

const root = path.resolve(import.meta.dirname, '../..');

describe.each(dialects)('CLI on %s', (dialect) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-cli-'));
  let env: NodeJS.ProcessEnv;
  let drop = async () => {};

  beforeAll(async () => {
    let url = `file:${path.join(dataDir, 'gatehouse.db')}`;
    if (dialect === 'postgres') {
      const { createTestPostgresDatabase } = await import('../support/postgres');
      const pg = await createTestPostgresDatabase();
      url = pg.url;
      drop = pg.drop;
    }
    env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: url, ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'), AUTH_SECRET: crypto.randomBytes(32).toString('hex') };
  });
  afterAll(async () => {
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the CLI; `input` is piped to its standard input (no terminal, so no prompt). */
  const run = (args: string[], input = '') => {
    const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', ...args], { cwd: root, env, encoding: 'utf8', input });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cli = (...args: string[]) => run(args);
  const signIn = async (email: string, password: string) => {
    const { resetConfig } = await import('@/lib/config');
    const { switchDatabase, closeDb } = await import('@/lib/db');
    const { verifyCredentials } = await import('@/lib/auth/authenticate');
    resetConfig(env);
    await switchDatabase(env.DATABASE_URL!);
    try {
      return await verifyCredentials(email, password, null).then((u) => u.email, () => null);
    } finally {
      await closeDb();
    }
  };

  it('migrate, then manages users', () => {
    expect(cli('migrate')).toMatchObject({ code: 0 });
    expect(run(['users', 'create', '--email', 'root@example.test', '--password-stdin', '--role', 'admin', '--name', 'Root'], 'correct-horse-1\n')).toMatchObject({ code: 0 });
    expect(run(['users', 'create', '--email', 'bob@example.test', '--password-stdin'], 'correct-horse-2')).toMatchObject({ code: 0 });
    const list = cli('users', 'list', '--json');
    expect(list.code).toBe(0);
    const users = JSON.parse(list.stdout);
    expect(users.map((u: { email: string; role: string }) => [u.email, u.role])).toEqual([
      ['root@example.test', 'admin'],
      ['bob@example.test', 'user'],
    ]);
    // No password field nor hash (`authProvider: "password"` names how one signs in, not a secret).
    expect(list.stdout.replace(/"authProvider":\s*"password"/g, '')).not.toMatch(/password|\$2[aby]\$/i);
    expect(cli('users', 'set-role', '--email', 'bob@example.test', '--role', 'admin')).toMatchObject({ code: 0 });
    expect(cli('users', 'deactivate', '--email', 'bob@example.test')).toMatchObject({ code: 0 });
    expect(cli('users', 'activate', '--email', 'bob@example.test')).toMatchObject({ code: 0 });
    expect(run(['users', 'set-password', '--email', 'bob@example.test', '--password-stdin'], 'another-horse-3\r\n')).toMatchObject({ code: 0 });
    expect(cli('users', 'list').stdout).toMatch(/bob@example\.test\s+admin\s+active/);
  });

  it('the passwords piped in are the ones that sign in (one trailing newline dropped, spaces kept)', async () => {
    expect(await signIn('root@example.test', 'correct-horse-1')).toBe('root@example.test');
    expect(await signIn('bob@example.test', 'another-horse-3')).toBe('bob@example.test');
    expect(await signIn('bob@example.test', 'correct-horse-2')).toBeNull();
    expect(run(['users', 'create', '--email', 'spacey@example.test', '--password-stdin'], '  two words here  \n')).toMatchObject({ code: 0 });
    expect(await signIn('spacey@example.test', '  two words here  ')).toBe('spacey@example.test');
  });

  it.skipIf(!haveScript)('on a terminal: prompts twice on stderr without echo, and refuses two different answers', async () => {
    const typed = async (email: string, answers: string[]) => {
      const cmd = `${path.join(root, 'node_modules/.bin/tsx')} lib/cli/main.ts users create --email ${email} --password-stdin`;
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // Type each answer only once its prompt is up (typed ahead, the terminal would echo it).
      for (const [i, prompt] of ['Password: ', 'Password again: '].entries()) {
        await waitFor(() => out.split(prompt).length > 1, { timeoutMs: 60_000, description: `the prompt ${prompt}` });
        child.stdin.write(`${answers[i]}\r`);
      }
      const code = await exited;
      return { code, out };
    };
    const ok = await typed('tty@example.test', ['tty-horse-12', 'tty-horse-12']);
    expect(ok.out).toMatch(/created user tty@example\.test/);
    expect(ok.out).not.toContain('tty-horse-12');
    expect(await signIn('tty@example.test', 'tty-horse-12')).toBe('tty@example.test');
    const differ = await typed('tty2@example.test', ['tty-horse-12', 'tty-horse-13']);
    expect(differ.out).toMatch(/differ/);
    expect(differ.out).not.toMatch(/tty-horse-1[23]/);
    expect(cli('users', 'list').stdout).not.toMatch(/tty2@example\.test/);
  });

  it.each([
    [['users', 'create', '--email', 'x@example.test', '--password', 'correct-horse-1'], /--password is not accepted.*--password-stdin/],
    [['users', 'create', '--email', 'x@example.test', '--password'], /--password is not accepted/],
    [['users', 'set-password', '--email', 'bob@example.test', '--password', 'another-horse-4'], /--password is not accepted.*users set-password/],
    [['users', 'create', '--email', 'x@example.test'], /--password-stdin is required/],
    [['users', 'set-password', '--email', 'bob@example.test'], /--password-stdin is required/],
  ])('a password in the arguments %j is refused with a one-line hint, and nothing changes', (args, pattern) => {
    const r = run(args, 'correct-horse-1\n');
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('[gatehouse]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(cli('users', 'list').stdout).not.toMatch(/x@example\.test/);
  });

  it.each([
    [['users', 'create', '--email', 'nope', '--password-stdin'], 'correct-horse-1\n', /email/],
    [['users', 'create', '--email', 'x@example.test', '--password-stdin'], 'short\n', /password/],
    [['users', 'create', '--email', 'x@example.test', '--password-stdin'], '', /password/],
    [['users', 'create', '--email', 'x@example.test', '--password-stdin'], 'correct-horse-1\nsecond line\n', /one line/],
    [['users', 'create', '--email', 'root@example.test', '--password-stdin'], 'correct-horse-1\n', /already exists/],
    [['users', 'set-password', '--email', 'ghost@example.test', '--password-stdin'], 'correct-horse-1\n', /not found/],
  ])('bad input %j with %j on stdin: one line on stderr and a non-zero exit', (args, input, pattern) => {
    const r = run(args, input);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('[gatehouse]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr + r.stdout).not.toContain('correct-horse-1');
  });

  it.each([
    [['users', 'set-role', '--email', 'ghost@example.test', '--role', 'admin'], /not found/],
    [['users', 'set-role', '--email', 'bob@example.test', '--role', 'king'], /role/i],
    [['tokens', 'create', '--email', 'root@example.test', '--name', 'x', '--expires-days', 'soon'], /expires/i],
    [['tokens', 'revoke', '--id', 'nope'], /not found/i],
    [['no-such-command'], /unknown command/],
    [['import', '--file', '/nonexistent.json'], /Cannot read/],
  ])('bad input %j: one line on stderr and a non-zero exit', (args, pattern) => {
    const r = cli(...args);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('[gatehouse]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('creates a token (alone on the last line) and revokes it', () => {
    const r = cli('tokens', 'create', '--email', 'root@example.test', '--name', 'deploy-bot', '--expires-days', '30');
    expect(r.code).toBe(0);
    const last = r.stdout.trim().split('\n').pop()!;
    expect(last).toMatch(/^gh_[\w-]{40,}$/);
    const id = /created token (\S+)/.exec(r.stdout)![1];
    expect(cli('tokens', 'revoke', '--id', id)).toMatchObject({ code: 0 });
  });

  it('rotates keys and round-trips an export', () => {
    const rot = cli('keys', 'rotate');
    expect(rot.code).toBe(0);
    expect(rot.stdout).toMatch(/re-encrypted \d+ secret/);
    const file = path.join(dataDir, 'export.json');
    expect(cli('export', '--file', file)).toMatchObject({ code: 0 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).format).toBe('gatehouse-export');
  });

  it('lists streams, and refuses a bad log kind with one line', () => {
    const list = cli('streams', 'list', '--json');
    expect(list).toMatchObject({ code: 0 });
    expect(JSON.parse(list.stdout)).toEqual([]);
    const bad = cli('domains', 'logs', '--id', 'nope', '--kind', 'secret');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('error: kind: kind must be access or error.');
    expect(cli('domains', 'logs', '--id', 'nope').stderr.trim()).toMatch(/^error: Domain/);
  });
});
