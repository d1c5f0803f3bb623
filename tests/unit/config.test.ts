import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '@/lib/config';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gh-cfg-'));

describe('configuration', () => {
  it('defaults to SQLite in DATA_DIR and generates secrets there with mode 0600', () => {
    const dir = tmp();
    const cfg = parseConfig({ DATA_DIR: dir });
    expect(cfg.dialect).toBe('sqlite');
    expect(cfg.DATABASE_URL).toBe(`file:${path.join(dir, 'gatehouse.db')}`);
    expect(cfg.PORT).toBe(3000);
    expect(cfg.DNS_SERVERS).toEqual(['8.8.8.8', '1.1.1.1']);
    expect(cfg.SSH_POOL_MAX_AGE_SECONDS).toBe(600);
    for (const f of ['auth-secret', 'encryption-key']) {
      expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    }
    expect(Buffer.from(cfg.ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    // A second start reads the same secrets back.
    expect(parseConfig({ DATA_DIR: dir }).AUTH_SECRET).toBe(cfg.AUTH_SECRET);
  });

  it('recognises PostgreSQL URLs', () => {
    expect(parseConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgres://u@h/db' }).dialect).toBe('postgres');
    expect(parseConfig({ DATA_DIR: tmp(), DATABASE_URL: 'postgresql://u@h/db' }).dialect).toBe('postgres');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['ENCRYPTION_KEY', 'c2hvcnQ='],
    ['AUTH_SECRET', 'short'],
    ['DNS_SERVERS', '8.8.8.8,not-an-ip'],
    ['SCHEDULER', 'maybe'],
    ['ADMIN_EMAIL', 'nope'],
    ['TELEGRAM_API_URL', 'not a url'],
    ['SSH_POOL_MAX_AGE_SECONDS', '0'],
    ['SSH_POOL_MAX_AGE_SECONDS', '1.5'],
    ['SSH_POOL_MAX_AGE_SECONDS', 'ten'],
    ['SSH_CONNECT_TIMEOUT_SECONDS', '0'],
    ['SSH_CONNECT_TIMEOUT_SECONDS', '301'],
    ['TRUSTED_PROXIES', '10.0.0.0/8,proxy.lan'],
    ['TRUSTED_PROXIES', '10.0.0.0/33'],
  ])('an invalid %s stops start-up with one line naming it', (name, value) => {
    const run = () => parseConfig({ DATA_DIR: tmp(), [name]: value });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain(name);
      expect(msg).not.toContain('\n');
    }
  });

  it('accepts resolvers with ports and IPv6', () => {
    expect(parseConfig({ DATA_DIR: tmp(), DNS_SERVERS: '127.0.0.1:5353, ::1' }).DNS_SERVERS).toEqual(['127.0.0.1:5353', '::1']);
  });
});
