import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, like, sql } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { mulberry32 } from '../support/seed';
import { executeSql, getDb, transaction } from '@/lib/db';

/**
 * Issue 13: a transaction never swallows other work. On SQLite every request shares one
 * connection, so a plain write made by another flow while a transaction's body awaits must not
 * land inside that transaction (and vanish with its rollback after reporting success). Each
 * iteration races plain writes (query builder and raw SQL) and plain reads from other async flows,
 * at varied offsets, against a transaction that awaits a varied number of times and then fails.
 */
const ITERATIONS = 200;
const SEED = Number(process.env.TX_ISOLATION_SEED ?? 0x13_0001);

class PlannedFailure extends Error {}

describe.each(dialects)('transactions and concurrent plain statements on %s', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await openTestDb(dialect);
  });
  afterAll(async () => tdb?.close());

  it(`no plain write that resolved is lost, no row of a failed transaction is seen (seed ${SEED})`, async () => {
    console.log(`[db-transaction-isolation] ${dialect}: seed ${SEED} (TX_ISOLATION_SEED to replay)`);
    const random = mulberry32(SEED);
    const int = (n: number) => Math.floor(random() * n);
    // One await of a varied kind: a microtask, a macrotask turn, or a short timer.
    const pause = () => {
      const kind = int(3);
      if (kind === 0) return Promise.resolve();
      if (kind === 1) return new Promise<void>((r) => setImmediate(r));
      return new Promise<void>((r) => setTimeout(r, int(3)));
    };
    const pauses = async (n: number) => {
      for (let i = 0; i < n; i++) await pause();
    };

    const resolved: string[] = [];
    const sawUncommitted: string[] = [];
    const txErrors: unknown[] = [];
    const insertEvent = (type: string, key: string) =>
      getDb().db.insert(getDb().t.events).values({ at: new Date(), type, data: { key } });

    for (let i = 0; i < ITERATIONS; i++) {
      const steps = 1 + int(6);
      const tx = transaction(async () => {
        await insertEvent('txiso.tx', `${i}.a`);
        await pauses(int(3));
        // A nested call joins the outer transaction and is rolled back with it.
        await transaction(async () => insertEvent('txiso.tx', `${i}.nested`));
        await pauses(steps);
        await insertEvent('txiso.tx', `${i}.b`);
        await pauses(int(3));
        throw new PlannedFailure(`iteration ${i}`);
      }).then(
        () => txErrors.push(new Error(`iteration ${i} committed`)),
        (err) => {
          if (!(err instanceof PlannedFailure)) txErrors.push(err);
        },
      );

      const writers = Array.from({ length: 1 + int(3) }, async (_, w) => {
        await pauses(int(steps + 3));
        const key = `${i}.${w}`;
        if (int(2) === 0) await insertEvent('txiso.plain', key);
        else {
          const { t } = getDb();
          const data = JSON.stringify({ key });
          const values = dialect === 'sqlite' ? sql`(${Date.now()}, 'txiso.plain', ${data}, 0)` : sql`(now(), 'txiso.plain', ${data}::jsonb, false)`;
          await executeSql(sql`insert into ${t.events} (at, type, data, everyone) values ${values}`);
        }
        resolved.push(key);
      });
      const reader = (async () => {
        await pauses(int(steps + 3));
        const { db, t } = getDb();
        const seen = int(2) === 0
          ? (await db.select({ id: t.events.id }).from(t.events).where(eq(t.events.type, 'txiso.tx'))).length
          : await db.$count(t.events, eq(t.events.type, 'txiso.tx'));
        if (seen) sawUncommitted.push(`iteration ${i}: ${seen} rows`);
      })();

      await Promise.all([tx, ...writers, reader]);
    }

    const { db, t } = getDb();
    const rows = await db.select({ type: t.events.type, data: t.events.data }).from(t.events).where(like(t.events.type, 'txiso.%'));
    const stored = new Set(rows.filter((r) => r.type === 'txiso.plain').map((r) => String((r.data as { key: unknown }).key)));
    const lost = resolved.filter((k) => !stored.has(k));
    const leaked = rows.filter((r) => r.type === 'txiso.tx');

    expect(txErrors).toEqual([]);
    expect(resolved.length).toBeGreaterThan(ITERATIONS);
    expect(lost.length, `${lost.length} of ${resolved.length} resolved plain writes are missing, e.g. ${lost.slice(0, 5).join(' ')} (seed ${SEED})`).toBe(0);
    expect(leaked.length, `rows of failed transactions are stored (seed ${SEED})`).toBe(0);
    expect(sawUncommitted, `a plain read saw uncommitted rows (seed ${SEED})`).toEqual([]);
    expect(stored.size).toBe(resolved.length);
  });

  it('a handle taken before a transaction, used in its body, does not wait for the transaction', async () => {
    // On SQLite the statement runs inside the transaction (it is in the body's async context);
    // on PostgreSQL it runs on another pooled connection. Either way it must not deadlock.
    const { db, t } = getDb();
    const result = await transaction(async () => {
      await db.insert(t.events).values({ at: new Date(), type: 'txiso.captured', data: {} });
      return 'done';
    });
    expect(result).toBe('done');
    expect(await getDb().db.$count(t.events, eq(t.events.type, 'txiso.captured'))).toBe(1);
  });
});
