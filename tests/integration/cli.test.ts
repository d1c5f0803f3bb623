import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/test-db';

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

  const cli = (...args: string[]) => {
    const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', ...args], { cwd: root, env, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('migrate, then manages users', () => {
    expect(cli('migrate')).toMatchObject({ code: 0 });
    expect(cli('users', 'create', '--email', 'root@example.test', '--password', 'correct-horse-1', '--role', 'admin', '--name', 'Root')).toMatchObject({ code: 0 });
    expect(cli('users', 'create', '--email', 'bob@example.test', '--password', 'correct-horse-2')).toMatchObject({ code: 0 });
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
    expect(cli('users', 'set-password', '--email', 'bob@example.test', '--password', 'another-horse-3')).toMatchObject({ code: 0 });
    expect(cli('users', 'list').stdout).toMatch(/bob@example\.test\s+admin\s+active/);
  });

  it.each([
    [['users', 'create', '--email', 'nope', '--password', 'correct-horse-1'], /email/],
    [['users', 'create', '--email', 'x@example.test', '--password', 'short'], /password/],
    [['users', 'create', '--email', 'root@example.test', '--password', 'correct-horse-1'], /already exists/],
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
});
