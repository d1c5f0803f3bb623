import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openTestDb } from '../support/test-db';
import { getDb, newId, rawDb } from '@/lib/db';
import { systemActor } from '@/lib/access/actor';
import { getEffectiveSettings } from '@/lib/settings/service';
import { runMonitoringCycle } from '@/lib/monitoring/poll-service';
import { rollUpMetrics } from '@/lib/monitoring/retention';
import { getServerMetrics } from '@/lib/monitoring/history';
import { readFs, readLoad, readNetwork, readQuicklook } from '@/lib/glances/shapes';
import { benchEvents } from './monitoring-sse';
import { mb, median, ms } from './stats';

const root = path.resolve(import.meta.dirname, '../..');
const SERVERS = 2_000;
const CONCURRENCY = 100;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Runs `code` (TypeScript, ESM) in a tsx child process; resolves with it and its first stdout line. */
export function child(code: string): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(path.join(root, 'node_modules/.bin/tsx'), ['-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ proc, line: out.slice(0, nl) });
    });
    proc.once('exit', (c) => reject(new Error(`child exited with ${c}`)));
  });
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const sysMs = () => process.cpuUsage().system / 1000;

/** The floor: node:http with a keep-alive agent, the same 4 requests a server, parsed and reduced. */
async function bareCycle(urls: string[]): Promise<void> {
  const agent = bareAgent;
  const get = (url: string) =>
    new Promise<unknown>((resolve, reject) => {
      http
        .get(url, { agent, headers: { accept: 'application/json', 'accept-encoding': 'identity' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        })
        .on('error', reject);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < urls.length) {
        const base = urls[next++];
        const sample = { ...readQuicklook(await get(`${base}/api/4/quicklook`)), ...readLoad(await get(`${base}/api/4/load`)), ...readFs(await get(`${base}/api/4/fs`)), ...readNetwork(await get(`${base}/api/4/network`)) };
        if (sample.cpu < 0) throw new Error('impossible');
      }
    }),
  );
}
const bareAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });

/** Rounds alternate between the contenders, so machine noise and JIT warmth hit both alike. */
async function measure(rounds: number, contenders: Record<string, () => Promise<unknown>>) {
  const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, { walls: [] as number[], cpus: [] as number[], sys: [] as number[] }]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const c0 = cpuMs();
      const s0 = sysMs();
      const t0 = performance.now();
      await fn();
      runs[name].walls.push(performance.now() - t0);
      runs[name].cpus.push(cpuMs() - c0);
      runs[name].sys.push(sysMs() - s0);
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { wall: median(r.walls), cpuPerPoll: median(r.cpus) / SERVERS, sysPerPoll: median(r.sys) / SERVERS }]));
}

async function tableBytes(): Promise<Record<string, number>> {
  const rows = rawDb().sqlite!.prepare('select name, sum(pgsize) as bytes from dbstat group by name').all() as Array<{ name: string; bytes: number }>;
  return Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
}

/** Issue #6: fleet polling cost and speed, storage per server, history query time, event delivery. */
export async function run() {
  const fleetProc = await child(
    `import { startGlancesFleetFake } from './tests/support/glances-v4-fake.ts';
     void startGlancesFleetFake({ count: ${SERVERS}, latencyMs: [50, 100], apiVersion: 4 }).then((f) => console.log(JSON.stringify({ port: f.port })));`,
  );
  const { port } = JSON.parse(fleetProc.line) as { port: number };
  const tdb = await openTestDb('sqlite');
  try {
    const { db, t } = getDb();
    const now = new Date();
    const ids: string[] = [];
    const rows = Array.from({ length: SERVERS }, (_, n) => {
      const id = newId();
      ids.push(id);
      return { id, name: `fleet-${n}`, host: '127.0.0.1', authMethod: 'password' as const, glancesUrl: `http://127.0.0.1:${port}/s/${n}`, createdAt: now, updatedAt: now };
    });
    for (let i = 0; i < rows.length; i += 500) await db.insert(t.servers).values(rows.slice(i, i + 500));
    const urls = rows.map((r) => r.glancesUrl);

    // Warm-up: API detection, sockets, JIT.
    for (let i = 0; i < 2; i++) {
      await runMonitoringCycle({ spreadMs: 0, concurrency: CONCURRENCY });
      await bareCycle(urls);
    }
    const { ours, bare } = await measure(5, { ours: () => runMonitoringCycle({ spreadMs: 0, concurrency: CONCURRENCY }), bare: () => bareCycle(urls) });
    console.log(`fleet: ${SERVERS} fake Glances 4 servers in a child process, 50–100 ms latency, 4 requests a poll, ${CONCURRENCY} polls in flight`);
    console.log(`cycle time, unstaggered: ours ${ms(ours.wall)}, bare ${ms(bare.wall)}  (target < 15 s)`);
    console.log(`CPU per poll: ours ${ours.cpuPerPoll.toFixed(3)} ms, bare ${bare.cpuPerPoll.toFixed(3)} ms, ratio ${(ours.cpuPerPoll / bare.cpuPerPoll).toFixed(2)}× (target ≤ 1.5×); kernel share ${ours.sysPerPoll.toFixed(3)} / ${bare.sysPerPoll.toFixed(3)} ms`);

    // Production shape: one cycle staggered over the 60 s interval (80 % spread).
    const interval = (await getEffectiveSettings()).monitoring.intervalSeconds * 1000;
    if (process.env.BENCH_QUICK !== '1') {
      const c0 = cpuMs();
      const stats = await runMonitoringCycle({ concurrency: CONCURRENCY });
      const used = cpuMs() - c0;
      console.log(`staggered cycle (interval ${interval / 1000} s): ${ms(stats.durationMs)}, ${stats.ok} ok, ${stats.maxInFlight} max in flight, CPU ${(used / interval * 100).toFixed(1)} % of one core over the interval`);
    }
    console.log(`RSS after polling: ${mb(process.memoryUsage().rss)}`);

    await storage(ids);
    await historyQuery(ids[0]);
  } finally {
    fleetProc.proc.kill('SIGTERM');
    await tdb.close();
  }
  await benchEvents(500);
}

/** Bytes per row of each table, measured on synthetic data, and the steady state they add up to. */
async function storage(ids: string[]) {
  const { db, t } = getDb();
  const sample = ids.slice(0, 50);
  const day = Math.floor(Date.now() / DAY) * DAY - DAY;
  const before = await tableBytes();
  for (const serverId of sample) {
    const rows = Array.from({ length: 1440 }, (_, i) => ({
      serverId, at: new Date(day + i * 60_000), cpu: 20 + (i % 37) * 1.3, memory: 40 + (i % 11) * 0.7, swap: 0.4, disk: 63.2, load1: 0.5 + (i % 9) * 0.11,
      load5: 0.45, load15: 0.4, netRx: 12_000 + i * 7, netTx: 3_000 + i * 3,
    }));
    for (let i = 0; i < rows.length; i += 500) await db.insert(t.metricSamples).values(rows.slice(i, i + 500));
  }
  const t0 = performance.now();
  // Start the roll-up at this synthetic day; it then catches up to now.
  await db.insert(t.settings).values({ key: 'monitoring.rollup', value: { fiveMinuteUntil: day, hourUntil: day }, updatedAt: new Date() }).onConflictDoUpdate({ target: t.settings.key, set: { value: { fiveMinuteUntil: day, hourUntil: day } } });
  const rolled = await rollUpMetrics();
  const rollMs = performance.now() - t0;
  const after = await tableBytes();
  const grew = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const raw = (grew('metric_samples') + grew('metric_samples_server_at_idx')) / (sample.length * 1440);
  const five = (grew('metric_rollups') + grew('sqlite_autoindex_metric_rollups_1')) / (rolled.fiveMinute + rolled.hourly);
  const events = (after.events ?? 0) / Math.max(1, (await db.$count(t.events)));
  const r = (await getEffectiveSettings()).retention;
  const perDay = raw * 1440 + five * (288 + 24) + events * 1440;
  const steady = raw * 60 * r.rawHours + five * (288 * r.fiveMinuteDays + 24 * Math.min(365, r.hourlyDays)) + events * 60;
  console.log(`storage: ${raw.toFixed(0)} B per raw sample, ${five.toFixed(0)} B per rollup row, ${events.toFixed(0)} B per event row (SQLite pages incl. indexes)`);
  console.log(`roll-up of ${sample.length} servers × 1 day: ${rolled.fiveMinute} 5-minute + ${rolled.hourly} hourly rows in ${ms(rollMs)}`);
  console.log(`growth per server-day before pruning: ${(perDay / 1024).toFixed(0)} KB; steady state per server for a year (raw ${r.rawHours} h, 5 min ${r.fiveMinuteDays} d, hourly 365 d, events 1 h): ${mb(steady)} (target < 2 MB)`);
}

/** A 30-day chart of one server among many, through the real query (hourly rollups + raw tail). */
async function historyQuery(serverId: string) {
  const { db, t } = getDb();
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  {
    const rows = Array.from({ length: 30 * 24 }, (_, i) => ({
      serverId, resolution: '1h' as const, bucketStart: new Date(end - (i + 1) * HOUR), count: 60, cpuAvg: 20, cpuMax: 60, memoryAvg: 40, memoryMax: 50,
      diskAvg: 60, diskMax: 61, load1Avg: 0.5, load1Max: 1, load5Avg: 0.4, load15Avg: 0.3, netRxAvg: 1000, netTxAvg: 100,
    }));
    for (let i = 0; i < rows.length; i += 300) await db.insert(t.metricRollups).values(rows.slice(i, i + 300)).onConflictDoNothing();
  }
  const query = { from: new Date(end - 30 * DAY).toISOString(), to: new Date().toISOString() };
  const times: number[] = [];
  let points = 0;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    points = (await getServerMetrics(systemActor, serverId, query)).points.length;
    times.push(performance.now() - t0);
  }
  console.log(`30-day history of one server (${points} points): first ${ms(times[0])}, median ${ms(median(times.slice(1)))} (target < 50 ms)`);
}
