import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { resetConfig } from '@/lib/config';
import { closeDb, migrateDb, switchDatabase } from '@/lib/db';
import { setKeyRing } from '@/lib/crypto/secret-box';
import { resetBus } from '@/lib/events/bus';

export type TestDialect = 'sqlite' | 'postgres';

/**
 * Dialects the integration suite runs on: both by default; GATEHOUSE_TEST_DIALECTS=sqlite on a
 * machine without PostgreSQL (never under CI, where a missing part is a failure).
 */
export const dialects: TestDialect[] = (process.env.GATEHOUSE_TEST_DIALECTS ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is TestDialect => s === 'sqlite' || s === 'postgres');

export interface TestDb {
  dialect: TestDialect;
  url: string;
  dataDir: string;
  /** Database file (SQLite) for plaintext scans. */
  file?: string;
  close: () => Promise<void>;
}

export interface TestDbOptions {
  /** SQLite: put the database file in this (existing) directory instead of the data dir, e.g. a small tmpfs. The caller owns it. */
  sqliteDir?: string;
  /** PostgreSQL: create the database through this admin URL (e.g. a private instance) instead of the shared server. */
  postgresAdminUrl?: string;
  /** Apply the migrations only up to this journal index (a database of an older schema). */
  migrateThrough?: number;
}

/** A fresh, migrated database of the given dialect (or of an older schema: `migrateThrough`), made the process database. */
export async function openTestDb(dialect: TestDialect, env: Record<string, string> = {}, options: TestDbOptions = {}): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-test-'));
  let url: string;
  let drop = async () => {};
  let file: string | undefined;
  if (dialect === 'sqlite') {
    file = path.join(options.sqliteDir ?? dataDir, 'gatehouse.db');
    url = `file:${file}`;
  } else {
    const { createTestPostgresDatabase } = await import('./postgres');
    const pg = await createTestPostgresDatabase(options.postgresAdminUrl);
    url = pg.url;
    drop = pg.drop;
  }
  resetConfig({
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    AUTH_SECRET: crypto.randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    SCHEDULER: 'off',
    ...env,
  });
  setKeyRing(undefined);
  resetBus();
  await switchDatabase(url);
  await migrateDb({ throughStep: options.migrateThrough });
  return {
    dialect,
    url,
    dataDir,
    file,
    close: async () => {
      await closeDb();
      resetBus();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
