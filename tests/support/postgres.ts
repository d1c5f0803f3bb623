/**
 * A fresh PostgreSQL database per test run/suite on the local server (trust auth on 127.0.0.1:5432).
 *
 *   const db = await createTestPostgresDatabase();   // { url: 'postgres://postgres@127.0.0.1:5432/gatehouse_test_ab12cd34', drop() }
 *   process.env.DATABASE_URL = db.url; ...; await db.drop();
 *
 * Admin connection: $TEST_POSTGRES_URL if set, else postgres://postgres@127.0.0.1:5432/postgres,
 * else postgres://root@127.0.0.1:5432/postgres. When nothing listens, the local cluster is started
 * once with `pg_ctlcluster --skip-systemctl-redirect <version> main start`.
 *
 * A private server for tests that stop or restart PostgreSQL (never the shared one, which other
 * tests are using): its own data dir and port, run as the `postgres` user.
 *
 *   if (!requirePrivatePostgres()) return;
 *   const pg = await startPrivatePostgres();   // { port, adminUrl, stop(), start(), restart(), destroy() }
 *   const db = await createTestPostgresDatabase(pg.adminUrl);
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { waitFor } from './wait';
import { freePort } from './ports';
import { HarnessError, findBinary, randomSuffix, registerCleanup, requirePart, run } from './process';

export interface TestPostgresDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** The admin URL it was created through. */
  adminUrl: string;
  /** Drops the database (terminating its connections). */
  drop(): Promise<void>;
}

const CANDIDATES = (): string[] =>
  [process.env.TEST_POSTGRES_URL, 'postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'].filter(
    (u): u is string => !!u,
  );

async function tryConnect(url: string): Promise<{ ok: true } | { ok: false; error: Error }> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, idle_timeout: 1, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error as Error };
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

let startAttempted = false;
let cachedAdminUrl: string | null = null;

async function startLocalCluster(): Promise<void> {
  if (startAttempted) return;
  startAttempted = true;
  const ctl = findBinary('pg_ctlcluster');
  if (!ctl || !fs.existsSync('/etc/postgresql')) return;
  for (const version of fs.readdirSync('/etc/postgresql')) {
    await run(ctl, ['--skip-systemctl-redirect', version, 'main', 'start']).catch(() => undefined);
  }
}

/** The admin URL that works here, or throws with every attempt's error. */
export async function findPostgresAdminUrl(): Promise<string> {
  if (cachedAdminUrl) return cachedAdminUrl;
  const attempt = async () => {
    const errors: string[] = [];
    for (const url of CANDIDATES()) {
      const r = await tryConnect(url);
      if (r.ok) return { url, errors };
      errors.push(`${url.replace(/:[^:@/]*@/, ':***@')}: ${r.error.message}`);
    }
    return { url: null, errors };
  };
  let res = await attempt();
  if (!res.url && !startAttempted) {
    await startLocalCluster();
    try {
      res = await waitFor(
        async () => {
          const r = await attempt();
          if (!r.url) throw new Error(r.errors.join('; '));
          return r;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: 'PostgreSQL accepting connections after pg_ctlcluster start' },
      );
    } catch (err) {
      res = { url: null, errors: [(err as Error).message] };
    }
  }
  if (!res.url) throw new HarnessError(`PostgreSQL not reachable: ${res.errors.join('; ')}`);
  cachedAdminUrl = res.url;
  return res.url;
}

/** Is PostgreSQL usable? (For a top-level `const pgOk = await postgresAvailable()`.) */
export async function postgresAvailable(): Promise<boolean> {
  try {
    await findPostgresAdminUrl();
    return true;
  } catch {
    return false;
  }
}

/** `describe.skipIf(!(await requirePostgres()))`: throws under CI=true, prints and returns false otherwise. */
export async function requirePostgres(): Promise<boolean> {
  let reason = '';
  try {
    await findPostgresAdminUrl();
  } catch (err) {
    reason = `${(err as Error).message}. Install/start with: apt-get install -y postgresql && pg_ctlcluster 15 main start`;
  }
  return requirePart(!reason, reason);
}

/** A fresh database on the shared server, or on the server behind `adminUrl` (e.g. a private instance). */
export async function createTestPostgresDatabase(adminUrl?: string): Promise<TestPostgresDatabase> {
  adminUrl ??= await findPostgresAdminUrl();
  const name = `gatehouse_test_${randomSuffix(10)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end({ timeout: 2 });
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();

  // If this process dies before drop(), the crash cleanup drops the database with psql.
  const psql = findBinary('psql');
  const unregister = psql
    ? registerCleanup({
        kind: 'cmd',
        argv: [psql, adminUrl, '-q', '-c', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`],
      })
    : () => undefined;

  let dropped = false;
  return {
    url,
    name,
    adminUrl,
    async drop() {
      if (dropped) return;
      dropped = true;
      const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await sql.end({ timeout: 2 });
      }
      unregister();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL server (initdb + pg_ctl), for tests that stop or restart it
// ---------------------------------------------------------------------------------------------

/** The newest installed server binaries (Debian: /usr/lib/postgresql/<version>/bin), or $TEST_POSTGRES_BINDIR. */
function postgresBinDir(): string | null {
  const fromEnv = process.env.TEST_POSTGRES_BINDIR;
  if (fromEnv) return fs.existsSync(path.join(fromEnv, 'pg_ctl')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : null;
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, commands run as the `postgres` user. */
function asPostgresUser(argv: string[]): string[] {
  return isRoot() ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
}

/** `describe.skipIf(!requirePrivatePostgres())`: initdb and pg_ctl present (and, as root, a `postgres` user). */
export function requirePrivatePostgres(): boolean {
  const bin = postgresBinDir();
  let reason = bin ? '' : 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql; apt-get install -y postgresql';
  if (bin && isRoot() && (!findBinary('runuser') || !fs.readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('postgres:')))) {
    reason = 'running as root without a `postgres` user (or runuser) to start a private PostgreSQL as';
  }
  return requirePart(!reason, reason);
}

export interface PrivatePostgres {
  port: number;
  dataDir: string;
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth on loopback). */
  adminUrl: string;
  /** `pg_ctl stop -m fast`: open sessions are cut (57P01 admin_shutdown), new ones refused. */
  stop(): Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  /** stop (fast) + start. */
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new HarnessError('no PostgreSQL server binaries (initdb, pg_ctl)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-private-pg-'));
  const unregisterRm = registerCleanup({ kind: 'rm', path: dataDir });
  if (isRoot()) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    fs.chownSync(dataDir, uid, gid);
  }
  fs.chmodSync(dataDir, 0o700);
  const ctl = (args: string[], timeoutMs = 60_000) => {
    const [cmd, ...rest] = asPostgresUser([path.join(bin, 'pg_ctl'), '-D', dataDir, ...args]);
    return run(cmd!, rest, { timeoutMs });
  };
  const [initCmd, ...initArgs] = asPostgresUser([path.join(bin, 'initdb'), '-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  await run(initCmd!, initArgs, { timeoutMs: 120_000 });
  const port = await freePort();
  // Only the server process restarts in these tests, never the machine: the OS cache survives, so fsync buys nothing.
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dataDir}'\nfsync = off\nmax_connections = 50\nshared_buffers = 16MB\nlogging_collector = off\n`,
  );
  const unregisterStop = registerCleanup({ kind: 'cmd', argv: asPostgresUser([path.join(bin, 'pg_ctl'), '-D', dataDir, 'stop', '-m', 'immediate']) });
  const log = path.join(dataDir, 'server.log');
  const start = async () => {
    await ctl(['start', '-w', '-t', '60', '-l', log]).catch((err) => {
      throw new HarnessError(`${(err as Error).message}\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : ''}`);
    });
  };
  const stop = async () => void (await ctl(['stop', '-w', '-m', 'fast']));
  await start();
  let destroyed = false;
  return {
    port,
    dataDir,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await ctl(['stop', '-w', '-m', 'immediate']).catch(() => undefined);
      unregisterStop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      unregisterRm();
    },
  };
}
