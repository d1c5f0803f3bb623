/**
 * Shared plumbing for the test harness: finding binaries, temp dirs, child processes that are
 * always cleaned up, and running commands with readable errors.
 *
 * Cleanup is belt and braces:
 *  - every helper's `stop()` kills its process by PID and removes its temp dir;
 *  - a process 'exit' handler (and SIGINT/SIGTERM/SIGHUP) kills whatever is still registered;
 *  - a detached watchdog (`tail --pid`) runs the same cleanup as a shell script if this process
 *    dies without running its handlers (SIGKILL, OOM), so a crashed run leaves nothing behind.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------------------------

/** Debian package that provides each binary the harness uses (for error messages). */
const PACKAGE_OF: Record<string, string> = {
  sshd: 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  nginx: 'nginx',
  glances: 'glances (+ python3-bottle)',
  knotd: 'knot',
  knotc: 'knot',
  kdig: 'knot-dnsutils',
  pebble: 'pebble',
  openssl: 'openssl',
  chromium: 'chromium',
  sudo: 'sudo',
  visudo: 'sudo',
  useradd: 'passwd',
  userdel: 'passwd',
  chpasswd: 'passwd',
  psql: 'postgresql-client',
  pg_isready: 'postgresql-client',
  pg_ctlcluster: 'postgresql-common',
  tail: 'coreutils',
};

const EXTRA_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessError';
  }
}

export function isCI(): boolean {
  const v = (process.env.CI ?? '').toLowerCase();
  return v === 'true' || v === '1' || v === 'yes';
}

/** Absolute path of an executable, or null. Searches PATH plus the sbin directories. */
export function findBinary(name: string): string | null {
  const candidates = path.isAbsolute(name)
    ? [name]
    : [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_PATH].map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  return null;
}

export function haveBinary(name: string): boolean {
  return findBinary(name) !== null;
}

export function missingBinaries(...names: string[]): string[] {
  return names.filter((n) => !haveBinary(n));
}

function missingMessage(missing: string[], what?: string): string {
  const pkgs = [...new Set(missing.map((m) => PACKAGE_OF[path.basename(m)] ?? path.basename(m)))];
  return (
    `${what ? `${what}: ` : ''}missing ${missing.join(', ')} (Debian package${pkgs.length > 1 ? 's' : ''} ${pkgs.join(', ')}). ` +
    'Install with: bash scripts/install-test-deps.sh'
  );
}

/** Absolute path of a binary the harness needs; throws a clear HarnessError when it is missing. */
export function resolveBinary(name: string): string {
  const found = findBinary(name);
  if (!found) throw new HarnessError(missingMessage([name]));
  return found;
}

/**
 * For `describe.skipIf(!requireBinary('sshd', 'ssh-keygen'))(...)`.
 * Returns true when every binary is present. When one is missing: under CI=true it THROWS
 * (CI must never pass by skipping); on a developer machine it prints the reason and returns false.
 */
export function requireBinary(...names: string[]): boolean {
  const missing = missingBinaries(...names);
  return requirePart(missing.length === 0, missing.length ? missingMessage(missing) : '');
}

/**
 * The general form of requireBinary: `ok` is whether the part is usable; `reason` says why not.
 * Throws under CI, prints and returns false otherwise.
 */
export function requirePart(ok: boolean, reason: string): boolean {
  if (ok) return true;
  if (isCI()) throw new HarnessError(`required test part unavailable under CI=true: ${reason}`);
  console.warn(`[harness] skipping: ${reason}`);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry (exit handlers + crash watchdog)
// ---------------------------------------------------------------------------------------------

type CleanupItem =
  | { kind: 'kill'; pid: number; group: boolean; signal: NodeJS.Signals }
  | { kind: 'cmd'; argv: string[] }
  | { kind: 'rm'; path: string };

const registry = new Map<number, CleanupItem>();
let nextId = 1;
let handlersInstalled = false;
let watchdogStarted = false;
const scriptPath = path.join(os.tmpdir(), `gatehouse-harness-cleanup-${process.pid}.sh`);

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function cleanupScript(): string {
  const items = [...registry.values()];
  const lines = ['#!/bin/sh'];
  for (const it of items) if (it.kind === 'kill') lines.push(`kill -${it.signal.replace(/^SIG/, '')} ${it.group ? '-' : ''}${it.pid} 2>/dev/null`);
  for (const it of items) if (it.kind === 'kill') lines.push(`kill -KILL ${it.group ? '-' : ''}${it.pid} 2>/dev/null`);
  for (const it of items) if (it.kind === 'cmd') lines.push(`${it.argv.map(shellQuote).join(' ')} >/dev/null 2>&1`);
  for (const it of items) if (it.kind === 'rm') lines.push(`rm -rf -- ${shellQuote(it.path)}`);
  lines.push(`rm -f -- ${shellQuote(scriptPath)}`);
  return `${lines.join('\n')}\n`;
}

function writeScript() {
  try {
    if (registry.size === 0) fs.rmSync(scriptPath, { force: true });
    else fs.writeFileSync(scriptPath, cleanupScript(), { mode: 0o700 });
  } catch {
    // best effort: the exit handlers still run
  }
}

function killQuiet(pid: number, group: boolean, signal: NodeJS.Signals | number) {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // already gone
  }
}

/** Runs every registered cleanup synchronously (exit handler, signal handler). */
export function runAllCleanupSync() {
  const items = [...registry.values()].reverse();
  registry.clear();
  for (const it of items) if (it.kind === 'kill') killQuiet(it.pid, it.group, it.signal);
  for (const it of items) if (it.kind === 'kill') killQuiet(it.pid, it.group, 'SIGKILL');
  for (const it of items) {
    if (it.kind === 'cmd') {
      try {
        execFileSync(it.argv[0], it.argv.slice(1), { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // best effort
      }
    }
  }
  for (const it of items) if (it.kind === 'rm') fs.rmSync(it.path, { recursive: true, force: true });
  fs.rmSync(scriptPath, { force: true });
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', runAllCleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      runAllCleanupSync();
      process.removeListener(sig, handler);
      // Only re-raise when nobody else handles the signal (keep the default behaviour: die).
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

function startWatchdog() {
  if (watchdogStarted) return;
  watchdogStarted = true;
  const tail = findBinary('tail');
  if (!tail) return;
  try {
    // `tail --pid` returns when this process dies; then run whatever cleanup is still on file.
    const child = spawn(
      '/bin/sh',
      ['-c', `${shellQuote(tail)} --pid=${process.pid} -f /dev/null; [ -f ${shellQuote(scriptPath)} ] && /bin/sh ${shellQuote(scriptPath)}`],
      { detached: true, stdio: 'ignore' },
    );
    child.unref();
  } catch {
    // no watchdog: exit handlers still run
  }
}

/** Registers a cleanup action; returns a function that unregisters it (call it after a clean stop). */
export function registerCleanup(item: CleanupItem): () => void {
  installHandlers();
  startWatchdog();
  const id = nextId++;
  registry.set(id, item);
  writeScript();
  return () => {
    if (registry.delete(id)) writeScript();
  };
}

// ---------------------------------------------------------------------------------------------
// Temp dirs
// ---------------------------------------------------------------------------------------------

export interface TempDir {
  path: string;
  remove(): void;
}

/** A fresh directory under the OS temp dir, removed on remove() or at exit. */
export function makeTempDir(prefix: string, mode = 0o700): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-${prefix}-`));
  fs.chmodSync(dir, mode);
  const unregister = registerCleanup({ kind: 'rm', path: dir });
  return {
    path: dir,
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

export function tailFile(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no log)';
  }
}

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Set once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  exited: Promise<void>;
  logTail(lines?: number): string;
  /** Throws (with the log tail) if the process has exited; use as waitFor's abortIf. */
  assertAlive(): void;
  /** Signals the process (its whole group by default), waits for it, escalates to SIGKILL. */
  stop(opts?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr both go here (appended). */
  logFile: string;
  /** Own process group (default true) so stop() also reaches its children (nginx workers, sshd sessions). */
  group?: boolean;
  /** Signal used by stop() and the exit handler (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

/** Spawns a long-running child whose output goes to a log file and which is killed at exit. */
export function spawnManaged(command: string, args: string[], opts: SpawnOptions): ManagedProcess {
  const group = opts.group ?? true;
  const stopSignal = opts.stopSignal ?? 'SIGTERM';
  const fd = fs.openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: group,
    });
  } finally {
    fs.closeSync(fd);
  }
  if (child.pid === undefined) {
    throw new HarnessError(`${opts.name}: could not start ${command}`);
  }
  const pid = child.pid;
  const unregister = registerCleanup({ kind: 'kill', pid, group, signal: stopSignal });
  let resolveExited!: () => void;
  const exited = new Promise<void>((r) => (resolveExited = r));
  const proc: ManagedProcess = {
    name: opts.name,
    pid,
    child,
    logFile: opts.logFile,
    exit: null,
    exited,
    logTail: (lines = 40) => tailFile(opts.logFile, lines),
    assertAlive() {
      if (proc.exit) {
        throw new HarnessError(
          `${opts.name} (pid ${pid}) exited early (code ${proc.exit.code}, signal ${proc.exit.signal}); log ${opts.logFile}:\n${proc.logTail()}`,
        );
      }
    },
    async stop(stopOpts = {}) {
      const signal = stopOpts.signal ?? stopSignal;
      const timeoutMs = stopOpts.timeoutMs ?? 10_000;
      if (!proc.exit) {
        killQuiet(pid, group, signal);
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          killQuiet(pid, group, 'SIGKILL');
          await exited;
        }
      }
      // Leftover members of the group (an sshd session, a stray worker) go too.
      if (group) killQuiet(pid, true, 'SIGKILL');
      unregister();
    },
  };
  child.on('exit', (code, signal) => {
    proc.exit = { code, signal };
    resolveExited();
  });
  child.on('error', (err) => {
    proc.exit ??= { code: null, signal: null };
    fs.appendFileSync(opts.logFile, `\n[harness] spawn error: ${err.message}\n`);
    resolveExited();
  });
  return proc;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its stderr in the message on failure. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new HarnessError(
              `${command} ${args.join(' ')} failed (${(err as NodeJS.ErrnoException).code ?? err.message}):\n${String(stderr).trim() || String(stdout).trim()}`,
            ),
          );
        } else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Is a PID alive (signal 0)? */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PIDs whose parent is `ppid`, read from /proc. */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm may contain spaces/parens: fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === ppid) out.push(Number(entry));
    } catch {
      // raced with exit
    }
  }
  return out;
}

/** Random lowercase alphanumeric suffix. */
export function randomSuffix(length = 8): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** True when a child's log says its port was taken between freePort() and bind. */
export function looksLikePortClash(log: string): boolean {
  return /address already in use|EADDRINUSE|bind\(\) to .* failed|cannot bind|could not bind/i.test(log);
}
