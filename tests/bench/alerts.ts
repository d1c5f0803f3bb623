import { sql } from 'drizzle-orm';
import { openTestDb, type TestDialect } from '../support/test-db';
import { getDb, newId } from '@/lib/db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { seedDefaultRules } from '@/lib/alerts/rules';
import { median, ms } from './stats';

/**
 * Issue #7: one alert evaluation cycle over 2,000 servers (each with two mounts, two domains and
 * an upstream of two targets: 2,000 servers, 4,000 domains, 2,000 pools), on both dialects.
 * Figures: a steady cycle (nothing changes: the common case every 15 s), a cycle where 10 % of
 * the fleet crosses a threshold at once (pending rows written), and the cycle that opens those
 * 200+ incidents (messages composed, sanitized and queued). The floor is the least such a cycle
 * must do: read the same rows (servers with their samples, domains, targets) and compare numbers.
 */
const SERVERS = 2_000;
const ROUNDS = 15;

async function seed(): Promise<string[]> {
  const { db, t } = getDb();
  const now = new Date();
  const ids: string[] = [];
  const servers = [];
  const pools = [];
  const targets = [];
  const domains = [];
  for (let i = 0; i < SERVERS; i++) {
    const id = newId();
    ids.push(id);
    servers.push({
      id, name: `srv-${i}`, host: `10.0.${i >> 8}.${i & 255}`, authMethod: 'password' as const, status: 'up' as const, createdAt: now, updatedAt: now,
      lastSample: sample(now, 20),
    });
    const pool = newId();
    pools.push({ id: pool, name: `pool-${i}`, healthCheck: { type: 'tcp' as const }, createdAt: now, updatedAt: now });
    for (let k = 0; k < 2; k++) targets.push({ id: newId(), upstreamId: pool, position: k, host: `10.1.${i >> 8}.${i & 255}`, port: 8080 + k, healthStatus: 'up' as const });
    for (let k = 0; k < 2; k++) {
      domains.push({ id: newId(), fqdn: `site${k}-${i}.example.com`, aliases: [], serverId: id, upstreamId: pool, expectedNameservers: [], nsStatus: 'ok' as const, status: 'deployed' as const, createdAt: now, updatedAt: now });
    }
  }
  for (const [table, rows] of [[t.servers, servers], [t.upstreams, pools], [t.upstreamTargets, targets], [t.domains, domains]] as const) {
    for (let i = 0; i < rows.length; i += 200) await db.insert(table).values(rows.slice(i, i + 200) as never);
  }
  return ids;
}

function sample(at: Date, cpu: number): Record<string, unknown> {
  return {
    at: at.toISOString(), apiVersion: 3, cpu, memory: 40, swap: 0, disk: 50, load1: 0.7, load5: 0.6, load15: 0.5, netRx: 0, netTx: 0, missing: [],
    disks: [{ mount: '/', percent: 50 }, { mount: '/var/lib/docker', percent: 35 }],
  };
}

async function setCpu(ids: string[], at: Date, hot: Set<string>): Promise<void> {
  const { db, t } = getDb();
  for (const id of ids) await db.update(t.servers).set({ lastSample: sample(at, hot.has(id) ? 97 : 20) }).where(sql`${t.servers.id} = ${id}`);
}

/** Reading the rows a cycle needs and comparing the numbers, nothing else. */
async function floor(): Promise<number> {
  const { db, t } = getDb();
  const t0 = performance.now();
  const servers = await db.select({ id: t.servers.id, status: t.servers.status, lastSample: t.servers.lastSample }).from(t.servers);
  let breaches = 0;
  for (const s of servers) {
    const x = s.lastSample as { cpu: number; memory: number; load1: number; disks: Array<{ percent: number }> };
    if (x.cpu >= 85 || x.memory >= 90 || x.load1 >= 4 || x.disks.some((d) => d.percent >= 85) || s.status === 'down') breaches++;
  }
  const doms = await db.select({ id: t.domains.id, status: t.domains.status, ns: t.domains.nsStatus }).from(t.domains);
  const tg = await db.select({ id: t.upstreamTargets.id, h: t.upstreamTargets.healthStatus }).from(t.upstreamTargets);
  breaches += doms.filter((d) => d.status === 'drifted' || d.ns === 'mismatch').length + tg.filter((x) => x.h === 'down').length;
  if (breaches < 0) throw new Error('unreachable'); // keeps the comparison from being optimised away
  return performance.now() - t0;
}

async function runOn(dialect: TestDialect): Promise<void> {
  const tdb = await openTestDb(dialect, { TELEGRAM_BOT_TOKEN: '123456:ABC-bench-token-abcdefghijklmnopqrstu', TELEGRAM_CHAT_ID: '4242', TELEGRAM_API_URL: 'http://127.0.0.1:9' });
  try {
    await seedDefaultRules();
    const ids = await seed();
    let now = new Date();
    await setCpu(ids, now, new Set());
    for (let i = 0; i < 3; i++) await evaluateAlerts({ now }); // warm-up
    const steady: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      floors.push(await floor());
      const t0 = performance.now();
      const stats = await evaluateAlerts({ now });
      steady.push(performance.now() - t0);
      if (i === 0) console.log(`  ${dialect}: ${SERVERS} servers, ${2 * SERVERS} domains, ${SERVERS} pools; ${stats.conditions} conditions kept (breaches and open incidents)`);
    }
    const hot = new Set(ids.filter((_, i) => i % 10 === 0));
    await setCpu(ids, now, hot);
    let t0 = performance.now();
    const pending = await evaluateAlerts({ now });
    const pendingMs = performance.now() - t0;
    now = new Date(now.getTime() + 301_000);
    await setCpu(ids, now, hot);
    t0 = performance.now();
    const fired = await evaluateAlerts({ now });
    const firedMs = performance.now() - t0;
    const { db, t } = getDb();
    const [queued] = await db.select({ n: sql<number>`count(*)` }).from(t.notifications);
    console.log(`  ${dialect}: steady cycle, ${SERVERS} servers: median ${ms(median(steady))} (min ${ms(Math.min(...steady))}, max ${ms(Math.max(...steady))})`);
    console.log(`  ${dialect}: floor (read the same rows, compare numbers): median ${ms(median(floors))}; ratio ${(median(steady) / median(floors)).toFixed(1)}×`);
    console.log(`  ${dialect}: ${pending.pending} servers cross the CPU threshold: ${ms(pendingMs)}; ${fired.fired} incidents open 5 min later: ${ms(firedMs)} (${Number(queued.n)} messages queued)`);
  } finally {
    await tdb.close();
  }
}

export async function run(): Promise<void> {
  const dialects = (process.env.GATEHOUSE_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as TestDialect[];
  for (const d of dialects) await runOn(d);
}
