/**
 * Load (issue 14 item 8): 200 concurrent clients on the read API for 60 s, then 50 concurrent
 * writers for 30 s, on each dialect (GATEHOUSE_TEST_DIALECTS picks), against the built app
 * (`next start`), next to a bare `node:http` server answering the same JSON bodies in the same run.
 * Prints errors (should be 0), p50/p95/p99, throughput and how often SQLITE_BUSY or a 503 showed.
 * Target: p99 ≤ 300 ms for reads at 200 clients on SQLite. Nothing is asserted.
 *
 * BENCH_LOAD_READ_SECONDS and BENCH_LOAD_WRITE_SECONDS shorten a run (defaults 60 and 30).
 */
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startApp, type AppServer } from '../support/app-server';
import { createTestPostgresDatabase, requirePostgres } from '../support/postgres';
import type { TestDialect } from '../support/test-db';
import { freePort } from '../support/ports';
import { median, ms, percentile } from './stats';

const root = path.resolve(import.meta.dirname, '../..');
const READ_SECONDS = Number(process.env.BENCH_LOAD_READ_SECONDS ?? 60);
const WRITE_SECONDS = Number(process.env.BENCH_LOAD_WRITE_SECONDS ?? 30);
const READERS = 200;
const WRITERS = 50;
const READ_PATHS = ['/api/v1/servers', '/api/v1/upstreams', '/api/v1/domains', '/api/v1/me', '/api/v1/health'];

interface Result {
  status: number;
  ms: number;
  body: string;
}

function request(url: string, agent: http.Agent, method: string, headers: Record<string, string>, body?: string): Promise<Result> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent, headers: body ? { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: text }));
    });
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, body: String(e) }));
    if (body) req.write(body);
    req.end();
  });
}

interface Phase {
  latencies: number[];
  errors: number;
  unavailable: number;
  statuses: Map<number, number>;
  seconds: number;
}

/** `clients` loops, each sending `next()` until the deadline. */
async function drive(clients: number, seconds: number, send: (i: number) => Promise<Result>, ok: (r: Result) => boolean): Promise<Phase> {
  const phase: Phase = { latencies: [], errors: 0, unavailable: 0, statuses: new Map(), seconds };
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const r = await send(n++);
        phase.latencies.push(r.ms);
        phase.statuses.set(r.status, (phase.statuses.get(r.status) ?? 0) + 1);
        if (r.status === 503) phase.unavailable++;
        if (!ok(r)) phase.errors++;
      }
    }),
  );
  return phase;
}

function line(label: string, p: Phase): string {
  const l = p.latencies;
  const statuses = [...p.statuses].map(([s, c]) => `${s}×${c}`).join(' ');
  return `${label}: ${l.length} requests (${(l.length / p.seconds).toFixed(0)}/s), errors ${p.errors}, 503 ${p.unavailable}, p50 ${ms(median(l))}, p95 ${ms(percentile(l, 95))}, p99 ${ms(percentile(l, 99))} [${statuses}]`;
}

function cli(app: AppServer, env: Record<string, string>, args: string[]): string {
  const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: app.dataDir, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cli ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

/** A bare node:http server that answers each read path with the body the app gave for it. */
async function floorServer(bodies: Map<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? '') ?? '{}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function runOn(dialect: TestDialect): Promise<void> {
  let dropDb: (() => Promise<void>) | null = null;
  const env: Record<string, string> = { ADMIN_EMAIL: 'load@example.test', ADMIN_PASSWORD: 'load-password-1', SCHEDULER: 'off' };
  if (dialect === 'postgres') {
    if (!(await requirePostgres())) {
      console.log('postgres: not available, skipped');
      return;
    }
    const db = await createTestPostgresDatabase();
    env.DATABASE_URL = db.url;
    dropDb = db.drop;
  }
  const app = await startApp(env);
  try {
    const token = cli(app, env, ['tokens', 'create', '--email', 'load@example.test', '--name', 'load']);
    const headers = { authorization: `Bearer ${token}` };
    const agent = new http.Agent({ keepAlive: true, maxSockets: READERS + WRITERS });
    // Something to read: 100 pools.
    for (let i = 0; i < 100; i++) {
      await request(`${app.url}/api/v1/upstreams`, agent, 'POST', headers, JSON.stringify({ name: `seed-${i}`, targets: [{ host: '127.0.0.1', port: 9000 + i }] }));
    }
    const bodies = new Map<string, string>();
    for (const p of READ_PATHS) bodies.set(p, (await request(`${app.url}${p}`, agent, 'GET', headers)).body);
    for (let i = 0; i < 400; i++) await request(`${app.url}${READ_PATHS[i % READ_PATHS.length]}`, agent, 'GET', headers); // warm-up

    const reads = await drive(READERS, READ_SECONDS, (i) => request(`${app.url}${READ_PATHS[i % READ_PATHS.length]}`, agent, 'GET', headers), (r) => r.status === 200);
    const writes = await drive(
      WRITERS,
      WRITE_SECONDS,
      (i) => request(`${app.url}/api/v1/upstreams`, agent, 'POST', headers, JSON.stringify({ name: `w-${i}`, targets: [{ host: '127.0.0.1', port: 1 + (i % 60000) }] })),
      (r) => r.status === 201,
    );
    agent.destroy();

    const floor = await floorServer(bodies);
    const floorAgent = new http.Agent({ keepAlive: true, maxSockets: READERS });
    const bare = await drive(READERS, READ_SECONDS, (i) => request(`${floor.url}${READ_PATHS[i % READ_PATHS.length]}`, floorAgent, 'GET', {}), (r) => r.status === 200);
    floorAgent.destroy();
    await floor.close();

    const busy = (app.logs().match(/SQLITE_BUSY/g) ?? []).length;
    console.log(`-- ${dialect} (${READ_SECONDS} s reads, ${WRITE_SECONDS} s writes)`);
    console.log(line(`reads, ${READERS} clients (GET ${READ_PATHS.join(', ')})`, reads));
    console.log(line(`writes, ${WRITERS} clients (POST /api/v1/upstreams)`, writes));
    console.log(line(`floor: bare node:http, same bodies, ${READERS} clients`, bare));
    console.log(`read p99 against the floor's: ${(percentile(reads.latencies, 99) / percentile(bare.latencies, 99)).toFixed(1)}×; SQLITE_BUSY in the server log: ${busy}`);
  } finally {
    await app.stop();
    await dropDb?.();
  }
}

export async function run(): Promise<void> {
  const dialects = (process.env.GATEHOUSE_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as TestDialect[];
  for (const d of dialects) await runOn(d);
}
