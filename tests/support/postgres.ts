/**
 * A fresh PostgreSQL database per test run/suite on the local server (trust auth on 127.0.0.1:5432).
 *
 *   const db = await createTestPostgresDatabase();   // { url: 'postgres://postgres@127.0.0.1:5432/gatehouse_test_ab12cd34', drop() }
 *   process.env.DATABASE_URL = db.url; ...; await db.drop();
 *
 * Admin connection: $TEST_POSTGRES_URL if set, else postgres://postgres@127.0.0.1:5432/postgres,
 * else postgres://root@127.0.0.1:5432/postgres. When nothing listens, the local cluster is started
 * once with `pg_ctlcluster --skip-systemctl-redirect <version> main start`.
 */
import fs from 'node:fs';
import postgres from 'postgres';
import { waitFor } from './wait';
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
