import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createTestPostgresDatabase, requirePostgres } from '../support/postgres';

const pgOk = await requirePostgres();

describe.skipIf(!pgOk)('harness: PostgreSQL test database', () => {
  it('creates a fresh database, usable through its URL, and drops it', async () => {
    const t0 = Date.now();
    const db = await createTestPostgresDatabase();
    console.log(`[harness] postgres database ${db.name} created in ${Date.now() - t0} ms`);
    expect(db.name).toMatch(/^gatehouse_test_[a-z0-9]{10}$/);
    const sql = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      await sql`create table t (id serial primary key, v text)`;
      await sql`insert into t (v) values ('x')`;
      expect((await sql`select current_database() as db, count(*)::int as n from t`)[0]).toEqual({ db: db.name, n: 1 });
    } finally {
      await sql.end();
    }

    const other = await createTestPostgresDatabase();
    expect(other.name).not.toBe(db.name);
    await other.drop();

    // drop() works even with a connection still open
    const lingering = postgres(db.url, { max: 1, onnotice: () => undefined });
    await lingering`select 1`;
    await db.drop();
    await lingering.end({ timeout: 1 }).catch(() => undefined);
    const admin = postgres(db.adminUrl, { max: 1, onnotice: () => undefined });
    try {
      const rows = await admin`select datname from pg_database where datname in (${db.name}, ${other.name})`;
      expect(rows).toHaveLength(0);
    } finally {
      await admin.end();
    }
  });
});
