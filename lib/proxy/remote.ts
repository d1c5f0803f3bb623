/**
 * What a deploy and a drift check do on the target server over SSH: resolve upstream names
 * there, hash and read the managed files, stage changed files and run the apply script.
 */
import type { SshConnection } from '../ssh/connection';
import { SshConnectionLostError, SshError } from '../ssh/errors';
import { cmd } from '../ssh/quote';
import { parseGetentHosts } from './resolve-targets';
import { APPLY_SCRIPT, HASHES_SCRIPT, PROBE_SCRIPT, RESOLVE_SCRIPT } from './remote-scripts';
import type { DeployFile } from './load';
import { nginxWords, type NginxLayout } from '../nginx/layout';
import { plural } from '../errors';

/** Managed paths are ours and grammar-checked; this guards the shell and the list files anyway. */
const MANAGED_PATH = /^(upstreams\.conf|streams\.conf|domains\/[a-z0-9._-]+\.conf|certs\/[A-Za-z0-9_-]+\.(crt|key)|access\/[A-Za-z0-9_-]+\.htpasswd)$/;
export const isManagedPath = (p: string) => MANAGED_PATH.test(p);

function assertPaths(paths: string[]) {
  const bad = paths.find((p) => !isManagedPath(p));
  if (bad !== undefined) throw new Error(`refusing an unexpected managed path: ${JSON.stringify(bad)}`);
}

/**
 * Resolves upstream host names on the server itself (Docker names and /etc/hosts entries may
 * exist only there). A name that does not resolve maps to [] and renders as a `down` placeholder.
 */
export async function resolveOnServer(conn: SshConnection, hosts: string[]): Promise<Record<string, string[]>> {
  if (hosts.length === 0) return {};
  const r = await conn.exec(cmd`sh -c ${RESOLVE_SCRIPT} gh-resolve ${hosts}`, { timeoutMs: 10_000 + hosts.length * 3_000 });
  const out: Record<string, string[]> = Object.fromEntries(hosts.map((h) => [h, []]));
  for (const section of r.stdout.split('\u001eGH-HOST ').slice(1)) {
    const nl = section.indexOf('\n');
    const host = nl === -1 ? section : section.slice(0, nl);
    if (Object.hasOwn(out, host)) out[host] = parseGetentHosts(nl === -1 ? '' : section.slice(nl + 1));
  }
  return out;
}

/** sha256 of managed files on the server (all of them, or the given paths); absent files are left out. */
export async function remoteHashes(conn: SshConnection, managedDir: string, paths?: string[]): Promise<Map<string, string>> {
  if (paths) {
    assertPaths(paths);
    if (paths.length === 0) return new Map();
  }
  const r = await conn.execPrivileged(cmd`sh -c ${HASHES_SCRIPT} gh-hashes ${managedDir} ${paths ?? []}`, { timeoutMs: 60_000 });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *]?(.+)$/.exec(line.trim());
    if (m && isManagedPath(m[2])) out.set(m[2], m[1]);
  }
  return out;
}

/** Contents of managed files (never private keys), for drift diffs; null for a missing file. */
export async function readRemoteFiles(conn: SshConnection, managedDir: string, paths: string[]): Promise<Map<string, string | null>> {
  assertPaths(paths);
  const readable = paths.filter((p) => !p.endsWith('.key') && !p.endsWith('.htpasswd'));
  const entries = await Promise.all(readable.map(async (p) => [p, await conn.readFile(`${managedDir}/${p}`)] as const));
  return new Map(entries);
}

/** An SSH failure in the middle of applyOnServer; the message adds what it means for Nginx's files. */
export class DeployInterruptedError extends SshError {
  readonly code: string;
  constructor(cause: SshError, consequence: string) {
    super(`${cause.message} ${consequence}`, cause.detail);
    this.code = cause.code;
  }
}

export type ApplyResult =
  | { ok: true; output: string }
  | { ok: false; stage: 'setup' | 'install' | 'test' | 'reload' | 'unknown'; message: string; output: string };

/**
 * Staging directories of this login user older than an hour: left by a deploy whose connection
 * was cut (or whose Gatehouse died) during the upload, before the apply script, which removes
 * its own, ever started. They may hold private keys, so the next deploy removes them.
 */
const SWEEP_STAGING = `find /tmp -maxdepth 1 -name 'gatehouse-deploy.*' -user "$(id -u)" -mmin +60 -exec rm -rf -- {} + 2>/dev/null`;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** The steps of an apply the caller hears about as they start (for the task's log and progress). */
export type ApplyStep = 'staged' | 'testing' | 'tested' | 'reloading' | 'reloaded';

const MARKER = /\u001eGH ([a-z ]+)\u001e/;
const TEST_LINE = '\u001eGH-T\u001e';

/**
 * Reads the apply script's stdout as it arrives: step markers go to `onStep`, `nginx -t` lines
 * (tagged by the script) to `onTestLine`, in order; `done()` waits for the callbacks to finish.
 */
function applyStream(onStep: (step: ApplyStep) => Promise<void>, onTestLine: (line: string) => Promise<void>) {
  let buffer = '';
  let chain = Promise.resolve();
  const queue = (fn: () => Promise<void>) => void (chain = chain.then(fn).catch(() => undefined));
  const line = (raw: string) => {
    const text = raw.replace(/\r$/, '');
    if (text.startsWith(TEST_LINE)) return queue(() => onTestLine(text.slice(TEST_LINE.length)));
    const m = MARKER.exec(text);
    if (m && (['testing', 'tested', 'reloading', 'reloaded'] as string[]).includes(m[1])) queue(() => onStep(m[1] as ApplyStep));
  };
  return {
    chunk(data: string) {
      buffer += data;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        line(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    },
    async done() {
      if (buffer) line(buffer);
      buffer = '';
      await chain;
    },
  };
}

/**
 * Uploads `files` to a private staging directory, then runs the apply script as root: swap,
 * `nginx -t`, reload, or roll back. The staging directory is removed in every case. `log`
 * hears `nginx -t`'s lines as Nginx prints them; `onStep` each step as it starts.
 */
export async function applyOnServer(
  conn: SshConnection,
  layout: NginxLayout,
  files: DeployFile[],
  removals: string[],
  log: (text: string) => Promise<void>,
  onStep: (step: ApplyStep) => Promise<void> = async () => {},
): Promise<ApplyResult> {
  assertPaths([...files.map((f) => f.path), ...removals]);
  const made = await conn.exec(`${SWEEP_STAGING}; d=$(mktemp -d /tmp/gatehouse-deploy.XXXXXXXX) && chmod 700 "$d" && mkdir -p "$d/files/domains" "$d/files/certs" "$d/files/access" && echo "$d"`, { timeoutMs: 15_000 });
  const staging = made.stdout.trim();
  if (made.code !== 0 || !/^\/tmp\/gatehouse-deploy\.[A-Za-z0-9]+$/.test(staging)) {
    return { ok: false, stage: 'setup', message: `Could not create a staging directory on the server: ${made.stderr.trim() || 'mktemp failed'}`, output: '' };
  }
  let ran = false;
  let cleaned = false;
  const started = performance.now();
  try {
    try {
      // The staging directory is 0700 (it holds private keys too); files get their final mode.
      await inBatches(files, 64, (f) => conn.writeFile(`${staging}/files/${f.path}`, f.content, { mode: f.mode }));
      const list = files.map((f) => `${f.mode.toString(8).padStart(4, '0')} ${f.path}\n`).join('');
      await conn.writeFile(`${staging}/install.list`, list, { mode: 0o600 });
      await conn.writeFile(`${staging}/remove.list`, removals.map((p) => `${p}\n`).join(''), { mode: 0o600 });
    } catch (err) {
      if (err instanceof SshError) throw new DeployInterruptedError(err, "Nginx's files were not changed.");
      throw err;
    }
    ran = true;
    await log(`Staged ${plural(files.length, 'file')} in ${Math.round(performance.now() - started)} ms.`);
    await onStep('staged');
    const stream = applyStream(onStep, log);
    const r = await conn
      .execPrivileged(cmd`sh -c ${APPLY_SCRIPT} gh-apply ${staging} ${layout.managedDir} ${layout.confPath} ${layout.pidFile ?? ''} ${nginxWords(layout)}`, {
        timeoutMs: 180_000,
        onStdout: (data) => stream.chunk(data),
      })
      .catch((err: unknown) => {
        if (err instanceof SshConnectionLostError) {
          throw new DeployInterruptedError(err, 'The apply script goes on by itself on the server and ends with either the new files tested and loaded or the previous ones back; the next deploy waits for it.');
        }
        throw err;
      })
      .finally(() => stream.done());
    const markers = [...r.stdout.matchAll(/\u001eGH ([a-z ]+)\u001e/g)].map((m) => m[1]);
    // What is left once markers and the (already logged) nginx -t lines are taken out.
    const output = r.stdout
      .replace(/\u001eGH [a-z ]+\u001e\r?\n?/g, '')
      .replace(/^\u001eGH-T\u001e.*(\r?\n|$)/gm, '')
      .trim();
    const failure = markers.find((m) => m.startsWith('fail '));
    if (r.code === 0 && markers.includes('reloaded')) {
      cleaned = true;
      return { ok: true, output };
    }
    const stage = (failure?.slice(5) ?? 'unknown') as Exclude<ApplyResult, { ok: true }>['stage'];
    const message = r.stderr.trim() || `The deploy script stopped (exit ${r.code ?? r.signal}).`;
    if (output) await log(output);
    return { ok: false, stage, message, output };
  } finally {
    // The script removes the directory itself when it ends. Before it ran (or when sudo refused
    // it) the files are the login user's; once it ran, root removes whatever it may have left.
    const rm = cmd`rm -rf -- ${staging}`;
    if (!cleaned) await (ran ? conn.execPrivileged(rm) : conn.exec(rm)).catch(() => undefined);
  }
}

export interface ProbeResult {
  fqdn: string;
  /** HTTP status Nginx answered with, or null when no answer came (or no curl/wget on the server). */
  status: number | null;
}

/** One HTTP request per domain to the server's own Nginx (127.0.0.1:httpPort, Host header). */
export async function probeDomains(conn: SshConnection, httpPort: number, fqdns: string[]): Promise<ProbeResult[] | null> {
  if (fqdns.length === 0) return [];
  const r = await conn.exec(cmd`sh -c ${PROBE_SCRIPT} gh-probe ${httpPort} ${fqdns}`, { timeoutMs: 10_000 + fqdns.length * 6_000 });
  if (r.stdout.includes('GH-NOPROBE')) return null;
  const codes = new Map(r.stdout.split('\n').map((l) => l.trim().split(' ')).filter((p) => p.length === 2).map(([h, c]) => [h, Number(c)]));
  return fqdns.map((fqdn) => {
    const c = codes.get(fqdn);
    return { fqdn, status: c && c >= 100 && c <= 599 ? c : null };
  });
}
