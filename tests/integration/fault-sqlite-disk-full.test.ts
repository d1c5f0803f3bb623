/**
 * Fault: the disk under the SQLite file fills up while the API is writing (a 2 MiB tmpfs of its
 * own, filled to the last byte by a filler file). What must still hold (CONTRACT.md "Second
 * wave"): a write that cannot be stored answers 503 `unavailable` with a plain message, never a
 * 500 or a stack; the server log gets one clear line; nothing of a failed write remains (an
 * upstream is a row, its targets, an audit entry and an event, written together or not at all);
 * `PRAGMA integrity_check` stays ok; and once the filler is deleted the same writes succeed
 * without a restart. SQLite only: PostgreSQL's disk is not ours to fill.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { inArray, sql } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { seededRandom } from '../support/seed';
import { mountTmpfs, requireTmpfs, type SmallDisk } from '../support/tmpfs';
import { getDb, rawDb } from '@/lib/db';

const MAX_WRITES_WHILE_FULL = 200;
const runs = dialects.includes('sqlite') && requireTmpfs();

describe.skipIf(!runs)('fault: the disk under the SQLite file fills up (2 MiB tmpfs) in the middle of API writes', () => {
  const rng = seededRandom('fault-sqlite-disk-full', 5150);
  let disk: SmallDisk;
  let tdb: TestDb;
  let token: string;
  let n = 0;

  const body = () => {
    const i = n++;
    const targets = Array.from({ length: rng.int(1, 12) }, (_, k) => ({ host: `backend-${i}-${k}.internal.test`, port: rng.int(1024, 65535) }));
    return { name: `pool-${i}-${'x'.repeat(rng.int(0, 40))}`.slice(0, 60), targets };
  };
  const create = (b: ReturnType<typeof body>) => api('POST', '/api/v1/upstreams', { token, body: b });
  const integrity = () => rawDb().sqlite!.pragma('integrity_check', { simple: true });

  beforeAll(async () => {
    disk = mountTmpfs('2m');
    tdb = await openTestDb('sqlite', {}, { sqliteDir: disk.dir });
    token = (await seedUsers()).adminToken;
  });
  afterAll(async () => {
    await tdb?.close();
    disk?.unmount();
  });

  it('while full: 503 unavailable and one log line, nothing half-written, integrity ok; after space returns: the same writes succeed', async () => {
    for (let i = 0; i < rng.int(2, 6); i++) expect((await create(body())).status).toBe(201);

    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    const stored: string[] = [];
    const refused: Array<ReturnType<typeof body>> = [];
    try {
      disk.fill();
      expect(disk.freeBytes()).toBe(0);
      // Some writes may still fit in pages SQLite has already allocated; keep writing until the
      // file has to grow, then a few more to see that every refusal looks the same.
      for (let i = 0; i < MAX_WRITES_WHILE_FULL && refused.length < 5; i++) {
        const b = body();
        const r = await create(b);
        expect([201, 503], JSON.stringify(r.body)).toContain(r.status);
        if (r.status === 201) {
          stored.push(b.name);
          continue;
        }
        refused.push(b);
        expect(r.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/^The database is not available right now/) } });
        expect(r.text).not.toMatch(/SQLITE|at .*\.ts|\/tmp\//);
      }
      // Reads keep working while the disk is full.
      expect((await api('GET', '/api/v1/upstreams', { token })).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    expect(refused.length, `no write was refused in ${MAX_WRITES_WHILE_FULL} tries`).toBe(5);
    const outage = errors.filter((e) => e.startsWith('[gatehouse] database unavailable'));
    expect(outage.length).toBeGreaterThanOrEqual(refused.length);
    for (const line of outage) expect(line).toMatch(/^\[gatehouse\] database unavailable \((SQLITE_FULL|SQLITE_IOERR\w*)\): [^\n]+$/);
    expect(errors.filter((e) => !e.startsWith('[gatehouse] database unavailable'))).toEqual([]);

    // Nothing of a refused write remains: no upstream, no target, no audit entry, no event.
    const { db, t } = getDb();
    const names = refused.map((b) => b.name);
    expect(await db.select({ id: t.upstreams.id }).from(t.upstreams).where(inArray(t.upstreams.name, names))).toEqual([]);
    // …and a write that answered 201 while the disk was full is really there.
    if (stored.length) expect(await db.select({ id: t.upstreams.id }).from(t.upstreams).where(inArray(t.upstreams.name, stored))).toHaveLength(stored.length);
    const orphans = await db.select({ n: sql<number>`count(*)` }).from(t.upstreamTargets).where(sql`${t.upstreamTargets.upstreamId} not in (select id from upstreams)`);
    expect(Number(orphans[0]!.n)).toBe(0);
    const counts = async () => {
      const [u] = await db.select({ n: sql<number>`count(*)` }).from(t.upstreams);
      const [a] = await db.select({ n: sql<number>`count(*)` }).from(t.auditEvents).where(sql`${t.auditEvents.action} = 'upstream.create'`);
      const [e] = await db.select({ n: sql<number>`count(*)` }).from(t.events).where(sql`${t.events.type} = 'upstream.updated'`);
      return { upstreams: Number(u!.n), audits: Number(a!.n), events: Number(e!.n) };
    };
    const before = await counts();
    expect(before.audits).toBe(before.upstreams);
    expect(before.events).toBe(before.upstreams);
    expect(integrity()).toBe('ok');

    // Space returns: the refused writes go through now, without reopening anything.
    disk.free();
    for (const b of refused) expect((await create(b)).status).toBe(201);
    const after = await counts();
    expect(after).toEqual({ upstreams: before.upstreams + refused.length, audits: before.audits + refused.length, events: before.events + refused.length });
    expect(integrity()).toBe('ok');

    // And a fresh connection (as after a restart) finds the same, intact file.
    const fresh = new Database(tdb.file!, { readonly: true });
    try {
      expect(fresh.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(fresh.prepare('select count(*) as n from upstreams').get()).toEqual({ n: after.upstreams });
    } finally {
      fresh.close();
    }
  });
});
