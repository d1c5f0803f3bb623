import http from 'node:http';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { openTestDb } from '../support/test-db';
import { publish } from '@/lib/events/bus';
import { sseResponse } from '@/lib/http/sse';
import type { Actor } from '@/lib/access/actor';
import { mb, ms } from './stats';

const root = path.resolve(import.meta.dirname, '../..');
const EVENTS = 100;
const RATE_PER_S = 10;

/** N SSE clients in a child process (so their parsing is not our CPU); prints latency percentiles. */
const CLIENT = `
import http from 'node:http';
const [url, n, expected] = [process.env.URL, Number(process.env.N), Number(process.env.EXPECTED)];
const lat = [];
let ready = 0, got = 0;
const finish = () => { lat.sort((a, b) => a - b); const p = (q) => lat[Math.min(lat.length - 1, Math.ceil(q * lat.length) - 1)];
  console.log(JSON.stringify({ count: lat.length, p50: p(0.5), p99: p(0.99), max: lat[lat.length - 1] })); process.exit(0); };
for (let i = 0; i < n; i++) {
  http.get(url, { agent: false }, (res) => {
    let buf = '', first = true;
    res.setEncoding('utf8');
    res.on('data', (d) => {
      if (first) { first = false; if (++ready === n) console.log('ready'); }
      buf += d;
      let k;
      while ((k = buf.indexOf('\\n\\n')) >= 0) {
        const block = buf.slice(0, k); buf = buf.slice(k + 2);
        const m = /^data: (.*)$/m.exec(block);
        if (!m) continue;
        const data = JSON.parse(m[1]);
        if (typeof data.t !== 'number') continue;
        lat.push(performance.timeOrigin + performance.now() - data.t);
        if (++got === n * expected) finish();
      }
    });
  }).on('error', (e) => { console.error(e.message); process.exit(1); });
}
setTimeout(finish, 60000);
`;

async function runClients(url: string, n: number, send: () => Promise<void>) {
  const proc = spawn(path.join(root, 'node_modules/.bin/tsx'), ['-e', CLIENT], { cwd: root, env: { ...process.env, URL: url, N: String(n), EXPECTED: String(EVENTS) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`clients: ${first.value}`);
  const c0 = process.cpuUsage();
  await send();
  const result = JSON.parse((await lines.next()).value as string) as { count: number; p50: number; p99: number; max: number };
  const cpu = process.cpuUsage(c0);
  proc.kill();
  return { ...result, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const now = () => performance.timeOrigin + performance.now();

async function paced(fn: (i: number) => Promise<void> | void) {
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const due = start + (i * 1000) / RATE_PER_S;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await fn(i);
  }
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)));
}

/** The floor: a bare node:http SSE server writing each frame to every open response. */
async function bare(n: number) {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  const url = await listen(server);
  const r = await runClients(url, n, () => paced((i) => {
    const frame = `id: ${i}\nevent: metrics\ndata: ${JSON.stringify({ serverId: 'x', t: now(), cpu: 1, memory: 2, disk: 3, load1: 0.5 })}\n\n`;
    for (const res of open) res.write(frame);
  }));
  server.closeAllConnections();
  server.close();
  return r;
}

/** Ours: the real bus (row in `events`, then delivery) and sseResponse, served through node:http. */
async function ours(n: number) {
  const actor: Actor = { id: 'bench', email: 'bench@example.test', name: 'Bench', role: 'admin', via: 'token' };
  const server = http.createServer(async (req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const response = sseResponse(new Request(`http://localhost${req.url}`, { signal: abort.signal }), actor);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  });
  const url = await listen(server);
  const r = await runClients(url, n, () => paced(async () => {
    await publish({ type: 'metrics', serverId: 'x', data: { serverId: 'x', t: now(), cpu: 1, memory: 2, disk: 3, load1: 0.5 } });
  }));
  server.closeAllConnections();
  server.close();
  return r;
}

export async function benchEvents(n: number) {
  const tdb = await openTestDb('sqlite');
  try {
    const floor = await bare(n);
    const real = await ours(n);
    const line = (label: string, r: Awaited<ReturnType<typeof bare>>) =>
      `${label}: ${r.count} deliveries, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, server CPU ${(r.cpuMs * 1000 / r.count).toFixed(1)} µs per delivery`;
    console.log(`event stream, ${n} clients (child process), ${EVENTS} metrics events at ${RATE_PER_S}/s:`);
    console.log(`  ${line('bare node:http floor', floor)}`);
    console.log(`  ${line('Gatehouse bus + sseResponse', real)}`);
    console.log(`  p99 ratio ${(real.p99 / floor.p99).toFixed(2)}× the floor measured now (target ≤ 2×; PERFORMANCE.md floor: 20 ms at 1,000 streams); RSS ${mb(process.memoryUsage().rss)}`);
  } finally {
    await tdb.close();
  }
}
