import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { freePort } from './ports';
import { waitFor } from './wait';

const root = path.resolve(import.meta.dirname, '../..');

/** Builds the app when the build is missing or older than the sources (scripts/build-if-stale.mjs). */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build-if-stale.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
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

/**
 * Starts the built app (`next start`) on a free port (or `env.PORT`, for a test that must know the
 * URL first, e.g. to register its redirect URI at an OpenID provider) with its own DATA_DIR and database.
 */
export async function startApp(env: Record<string, string> = {}): Promise<AppServer> {
  ensureBuilt();
  const port = env.PORT ? Number(env.PORT) : await freePort();
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
