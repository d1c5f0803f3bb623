import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { freePort } from './ports';
import { waitFor } from './wait';

const root = path.resolve(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the app once when the build is missing or older than the sources. */
export function ensureBuilt(): void {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  const sources = Math.max(...['app', 'lib', 'components'].map((d) => newestMtime(path.join(root, d))), fs.statSync(path.join(root, 'instrumentation.ts')).mtimeMs);
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs > sources) return;
  const r = spawnSync('npx', ['next', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new Error(`next build failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
}

export interface AppServer {
  url: string;
  port: number;
  dataDir: string;
  logs: () => string;
  setupCode: () => string | null;
  stop: () => Promise<void>;
}

/** Starts the built app (`next start`) on a free port with its own DATA_DIR and database. */
export async function startApp(env: Record<string, string> = {}): Promise<AppServer> {
  ensureBuilt();
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-app-'));
  let out = '';
  const child: ChildProcess = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', String(port)], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATA_DIR: dataDir,
      AUTH_SECRET: crypto.randomBytes(32).toString('base64url'),
      AUTH_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      GATEHOUSE_BCRYPT_COST: '4',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`app exited early:\n${out.slice(-3000)}`);
      const r = await fetch(`${url}/api/v1/health`).catch(() => null);
      return r?.ok ? true : false;
    },
    { timeoutMs: 60_000, description: 'app to answer /api/v1/health' },
  );
  await waitFor(() => out.includes('[gatehouse] ready'), { timeoutMs: 30_000, description: 'app start-up to finish' });
  return {
    url,
    port,
    dataDir,
    logs: () => out,
    setupCode: () => /Setup code: (\S+)/.exec(out)?.[1] ?? null,
    stop: async () => {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* gone */
        }
        await waitFor(() => child.exitCode !== null || child.signalCode !== null, { timeoutMs: 10_000 }).catch(() => process.kill(-child.pid!, 'SIGKILL'));
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
