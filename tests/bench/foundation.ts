import http from 'node:http';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { ensureBuilt } from '../support/app-server';
import { freePort } from '../support/ports';
import { mb, median, ms, percentile, rssOf } from './stats';

const root = path.resolve(import.meta.dirname, '../..');

function get(url: string, agent: http.Agent, headers: Record<string, string> = {}): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      })
      .on('error', reject);
  });
}

/** Issue #2: start-up time to the first 200 on /login, idle RSS, p95 of /api/v1/me at 200 concurrent. */
export async function run() {
  ensureBuilt();
  const starts: number[] = [];
  let rss = 0;
  let latencies: number[] = [];
  for (let round = 0; round < 3; round++) {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-bench-'));
    const env = { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, AUTH_SECRET: crypto.randomBytes(32).toString('base64url'), ADMIN_EMAIL: 'bench@example.test', ADMIN_PASSWORD: 'bench-password-1', SCHEDULER: 'on' } as NodeJS.ProcessEnv;
    const t0 = performance.now();
    const child = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', String(port)], { cwd: root, env, stdio: 'ignore', detached: true });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
    for (;;) {
      const r = await get(`http://127.0.0.1:${port}/login`, agent).catch(() => null);
      if (r?.status === 200) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    starts.push(performance.now() - t0);
    if (round === 0) {
      // A token for the load, through the CLI against the same database.
      const out = await new Promise<string>((resolve) => {
        let s = '';
        const c = spawn(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', 'tokens', 'create', '--email', 'bench@example.test', '--name', 'bench'], { cwd: root, env });
        c.stdout.on('data', (d) => (s += d));
        c.on('close', () => resolve(s));
      });
      const token = out.trim().split('\n').pop()!;
      await new Promise((res) => setTimeout(res, 5000)); // settle, then idle RSS
      rss = rssOf(child.pid!);
      const headers = { authorization: `Bearer ${token}` };
      for (let i = 0; i < 200; i++) await get(`http://127.0.0.1:${port}/api/v1/me`, agent, headers); // warm-up
      const total = 4000;
      let next = 0;
      latencies = [];
      await Promise.all(
        Array.from({ length: 200 }, async () => {
          while (next++ < total) latencies.push((await get(`http://127.0.0.1:${port}/api/v1/me`, agent, headers)).ms);
        }),
      );
    }
    process.kill(-child.pid!, 'SIGTERM');
    agent.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`start-up to first 200 on /login: median ${ms(median(starts))} of ${starts.map((s) => s.toFixed(0)).join(', ')} ms (next start, SQLite, migrations applied)`);
  console.log(`idle RSS after start-up: ${mb(rss)}`);
  console.log(`/api/v1/me, 200 concurrent, ${latencies.length} requests: p50 ${ms(median(latencies))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`);
}
