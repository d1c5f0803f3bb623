import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';

const root = path.resolve(import.meta.dirname, '../..');

export interface NpmApp {
  url: string;
  /** The `npm` process (its own process group, which holds the app too). */
  pid: number;
  logs: () => string;
  /** Resolves when `npm` exits: its exit code (npm passes on the app's) or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the `npm` process only, as a supervisor or a terminal's job control would. */
  signal: (sig: NodeJS.Signals) => void;
  /** SIGKILLs the whole process group (cleanup after a failure). */
  kill: () => void;
}

/**
 * Runs the real `npm start` (its prestart build check, then the package.json start script) on
 * `port` with `env`, and waits until it answers /api/v1/health and has finished start-up. The
 * environment is the caller's plus `env` minus NEXT_MANUAL_SIG_HANDLE, so what the start script
 * sets is what counts. Data survives the process: restart with the same env to test recovery.
 */
export async function npmStart(port: number, env: Record<string, string>): Promise<NpmApp> {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.NEXT_MANUAL_SIG_HANDLE;
  let out = '';
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: root,
    env: { ...base, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), GATEHOUSE_BCRYPT_COST: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited early:\n${out.slice(-3000)}`);
        const r = await fetch(`${url}/api/v1/health`).catch(() => null);
        return r?.ok ? out.includes('[gatehouse] ready') : false;
      },
      { timeoutMs: 15 * 60_000, intervalMs: 200, description: 'npm start to answer /api/v1/health', abortIf: () => {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out.slice(-3000)}`);
      } },
    );
  } catch (err) {
    kill();
    throw err;
  }
  return { url, pid: child.pid!, logs: () => out, exited, signal: (sig) => process.kill(child.pid!, sig), kill };
}
