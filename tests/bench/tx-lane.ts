import { count, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as sqliteSchema from '@/lib/db/schema/sqlite';
import { getDb, newId, rawDb, transaction, type Db } from '@/lib/db';
import { openTestDb } from '../support/test-db';
import { median, ms, percentile } from './stats';

const PHASE_MS = 1_500;
const LONG_TX = 200;
const SHORT_TX = 5;

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Issue 13: task-log-like lines (a task_logs row plus its event, as the task runner writes them)
 * written by a concurrent writer on SQLite, alone and while back-to-back long transactions run
 * (each body awaits LONG_TX times, or SHORT_TX times like a typical command: a few rows and an audit line). "lane" is the shipped path (getDb() outside a transaction);
 * "bypass" is a drizzle handle on the raw connection, which is how every plain statement behaved
 * before the lane: it runs at once, inside whatever transaction is open.
 */
export async function run() {
  const tdb = await openTestDb('sqlite');
  try {
    const { db, t } = getDb();
    const taskId = newId();
    await db.insert(t.tasks).values({ id: taskId, kind: 'bench.log', status: 'running', createdAt: new Date() });
    const bypass = drizzle(rawDb().sqlite!, { schema: sqliteSchema }) as Db;
    let seq = 0;

    const writer = async (handle: () => Db, until: number) => {
      const latencies: number[] = [];
      const written: number[] = [];
      while (performance.now() < until) {
        const db = handle();
        const n = ++seq;
        const t0 = performance.now();
        await db.insert(t.taskLogs).values({ taskId, seq: n, at: new Date(), stream: 'stdout', text: `line ${n}` });
        await db.insert(t.events).values({ at: new Date(), type: 'task.log', data: { taskId, seq: n } });
        latencies.push(performance.now() - t0);
        written.push(n);
        await tick(); // a task's output arrives in chunks, not in one synchronous burst
      }
      return { latencies, written };
    };

    const transactions = async (until: number, awaits: number, fail: boolean) => {
      let n = 0;
      while (performance.now() < until) {
        await transaction(async (tx) => {
          for (let i = 0; i < awaits; i++) {
            await tx.insert(t.events).values({ at: new Date(), type: 'bench.tx', data: { i } });
            await tick();
          }
          if (fail) throw new Error('planned');
        }).catch(() => {});
        n++;
      }
      return n;
    };

    const storedLines = async () => (await getDb().db.select({ n: count() }).from(t.taskLogs).where(eq(t.taskLogs.taskId, taskId)))[0].n;

    const report = (label: string, w: { latencies: number[]; written: number[] }, extra = '') =>
      console.log(
        `${label.padEnd(48)} ${String(Math.round((w.written.length * 1000) / PHASE_MS)).padStart(6)} lines/s  ` +
          `line p50 ${ms(median(w.latencies))}  p99 ${ms(percentile(w.latencies, 99))}  max ${ms(Math.max(...w.latencies))}${extra}`,
      );

    for (const [name, handle] of [['bypass (before)', () => bypass], ['lane (after)', () => getDb().db]] as const) {
      const until = performance.now() + PHASE_MS;
      report(`idle, ${name}`, await writer(handle, until));
    }

    const loads = [
      { label: `long committing tx (${LONG_TX} awaits)`, awaits: LONG_TX, fail: false },
      { label: `long failing tx (${LONG_TX} awaits)`, awaits: LONG_TX, fail: true },
      { label: `short committing tx (${SHORT_TX} awaits)`, awaits: SHORT_TX, fail: false },
    ];
    for (const load of loads) {
      for (const [name, handle] of [['bypass (before)', () => bypass], ['lane (after)', () => getDb().db]] as const) {
        const storedBefore = await storedLines();
        const until = performance.now() + PHASE_MS;
        const [w, txs] = await Promise.all([writer(handle, until), transactions(until, load.awaits, load.fail)]);
        const kept = (await storedLines()) - storedBefore;
        report(
          `${load.label}, ${name}`,
          w,
          `  ${txs} transactions (${Math.round((txs * 1000) / PHASE_MS)}/s); lines stored ${kept} of ${w.written.length}`,
        );
      }
    }
  } finally {
    await tdb.close();
  }
}
