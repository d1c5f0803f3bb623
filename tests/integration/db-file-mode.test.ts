import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { closeDb, getDb, newId, switchDatabase } from '@/lib/db';

const mode = (f: string) => fs.statSync(f).mode & 0o777;

/** The SQLite file and its WAL are private to Gatehouse's user, like the secrets beside it (issue 18). */
describe.skipIf(!dialects.includes('sqlite'))('the SQLite database files', () => {
  let tdb: TestDb;
  const umask = process.umask(0o022); // the usual umask: files would be 0644 by default
  beforeAll(async () => {
    tdb = await openTestDb('sqlite');
  });
  afterAll(async () => {
    await tdb?.close();
    process.umask(umask);
  });

  it('are created with mode 0600: the database, its -wal and its -shm', async () => {
    const { db, t } = getDb();
    const now = new Date();
    await db.insert(t.servers).values({ id: newId(), name: 'web01', host: '127.0.0.1', authMethod: 'password', createdAt: now, updatedAt: now });
    const file = tdb.file!;
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
  });

  it('a database file left wider by an older version is narrowed when it is opened', async () => {
    const file = tdb.file!;
    await closeDb();
    fs.chmodSync(file, 0o644);
    await switchDatabase(`file:${file}`);
    const { db, t } = getDb();
    expect(await db.select().from(t.servers)).toHaveLength(1);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
  });
});
