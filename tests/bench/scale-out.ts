/**
 * Scale-out on PostgreSQL (issue 15): 30,000 servers shared by three instances through poll
 * leases (lib/monitoring/poll-leases.ts). Simulated instances in one process (their rows and
 * lease calls are what the real ones do each balancing step); prints the time of the first
 * claim, of a steady step, of a takeover after one instance dies, and the share each took, next
 * to the floor measured in the same run (one indexed `count(*)` over the servers).
 * The whole cycle with three real processes is in tests/e2e/scale-out.test.ts (300 servers).
 */
import { sql } from 'drizzle-orm';
import { openTestDb } from '../support/test-db';
import { executeSql, getDb } from '@/lib/db';
import { balancePollLeases, ensureLeaseRows, leaseCounts } from '@/lib/monitoring/poll-leases';
import { ms } from './stats';

const SERVERS = 30_000;
const INSTANCES = ['bench-a', 'bench-b', 'bench-c'];
const LEASE_MS = 30_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

export async function run(): Promise<void> {
  const tdb = await openTestDb('postgres');
  try {
    const { db, t } = getDb();
    const now = new Date();
    for (let i = 0; i < SERVERS; i += 2_000) {
      await db.insert(t.servers).values(
        Array.from({ length: Math.min(2_000, SERVERS - i) }, (_, k) => ({
          id: `srv-${String(i + k).padStart(6, '0')}`, name: `s${i + k}`, host: '192.0.2.1', authMethod: 'password' as const,
          glancesUrl: `http://127.0.0.1:1/s/${i + k}`, monitoringEnabled: true, createdAt: now, updatedAt: now,
        })),
      );
    }
    const seen = new Date(); // after the inserts: a heartbeat older than 20 s would count as gone
    for (const id of INSTANCES) await db.insert(t.instances).values({ id, startedAt: seen, lastSeenAt: seen, leader: id === 'bench-a', scheduler: true });
    const floor = await timed(() => executeSql(sql`select count(*) from servers where monitoring_enabled`));
    const rows = await timed(() => ensureLeaseRows());
    const rowsAgain = await timed(() => ensureLeaseRows());
    const first = await timed(() => Promise.all(INSTANCES.map((id) => balancePollLeases(id, LEASE_MS))));
    const steady = await timed(() => balancePollLeases('bench-a', LEASE_MS));
    const shares = await leaseCounts();
    console.log(`  ${SERVERS} servers, ${INSTANCES.length} instances`);
    console.log(`  floor (count(*) over the servers): ${ms(floor.ms)}`);
    console.log(`  lease rows, first time:            ${ms(rows.ms)} (${(rows.ms / floor.ms).toFixed(1)}× floor)`);
    console.log(`  lease rows, steady (every 10 s):   ${ms(rowsAgain.ms)} (${(rowsAgain.ms / floor.ms).toFixed(1)}× floor)`);
    console.log(`  first claim, three at once:        ${ms(first.ms)} (${(first.ms / floor.ms).toFixed(1)}× floor)`);
    console.log(`  steady balancing step:             ${ms(steady.ms)} (${(steady.ms / floor.ms).toFixed(1)}× floor; every 2 s per instance)`);
    console.log(`  shares: ${INSTANCES.map((id) => `${id} ${shares.get(id) ?? 0}`).join(', ')}`);
    // bench-c dies: its row goes stale, its leases run out; a and b take it over in one step each.
    await executeSql(sql`update instances set last_seen_at = now() - interval '1 minute' where id = 'bench-c'`);
    await executeSql(sql`update poll_leases set expires_at = now() - interval '1 second' where instance_id = 'bench-c'`);
    const takeover = await timed(() => Promise.all(['bench-a', 'bench-b'].map((id) => balancePollLeases(id, LEASE_MS))));
    const after = await leaseCounts();
    console.log(`  takeover of a dead instance's share: ${ms(takeover.ms)}; shares now: ${['bench-a', 'bench-b'].map((id) => `${id} ${after.get(id) ?? 0}`).join(', ')}`);
  } finally {
    await tdb.close();
  }
}
