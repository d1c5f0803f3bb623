import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { drizzle as drizzleSqlite, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import * as sqliteSchema from './schema/sqlite';
import * as pgSchema from './schema/pg';
import { config } from '../config';
import { Lane, lanedDatabase } from './lane';
import { UnavailableError } from '../errors';

/**
 * Queries are written once against the SQLite types; both schemas export identical tables, so the
 * same builder calls run on PostgreSQL. Never call SQLite-only sync methods (.get/.all/.run):
 * always `await` the builder.
 */
export type Db = BetterSQLite3Database<typeof sqliteSchema>;
export type Tables = typeof sqliteSchema;
export type Dialect = 'sqlite' | 'postgres';

interface Handle {
  url: string;
  dialect: Dialect;
  /** On SQLite the raw connection's database: what a transaction's body uses. */
  db: Db;
  /** What code outside a transaction uses: on SQLite the same connection behind the lane. */
  outside: Db;
  t: Tables;
  sqlite?: Database.Database;
  pg?: postgres.Sql;
  lane?: Lane;
}

const state = globalThis as unknown as { __gatehouseDb?: Handle; __gatehouseDbShutDown?: boolean };
const txStore = new AsyncLocalStorage<Db>();

/**
 * The SQLite file holds sessions, the audit log and the encrypted secrets: like the key files
 * beside it, it is created with mode 0600 before SQLite opens it. SQLite gives its -wal and -shm
 * files the database file's mode; a file made by an older version (umask-wide) is narrowed too.
 */
function privateDatabaseFile(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if (fs.statSync(f).mode & 0o077) fs.chmodSync(f, 0o600);
    } catch {
      // Missing (no WAL yet), or not ours to change: SQLite reports what matters when it opens.
    }
  }
}

function open(url: string): Handle {
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    if (file !== ':memory:') privateDatabaseFile(file);
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzleSqlite(sqlite, { schema: sqliteSchema });
    const lane = new Lane(() => txStore.getStore() !== undefined);
    return { url, dialect: 'sqlite', db, outside: lanedDatabase(db, lane), t: sqliteSchema, sqlite, lane };
  }
  const pg = postgres(url, { max: 10, onnotice: () => {}, connection: { application_name: 'gatehouse' } });
  const db = drizzlePg(pg, { schema: pgSchema }) as unknown as Db;
  return { url, dialect: 'postgres', db, outside: db, t: pgSchema as unknown as Tables, pg };
}

function handle(): Handle {
  // After the shutdown's close nothing reopens it (a task handler still finishing, say).
  if (state.__gatehouseDbShutDown) throw new UnavailableError('shut down', 'Gatehouse has shut down; nothing was changed.');
  state.__gatehouseDb ??= open(config().DATABASE_URL);
  return state.__gatehouseDb;
}

/** The database: `db` is the active transaction when called inside `transaction()`. */
export function getDb(): { db: Db; t: Tables; dialect: Dialect } {
  const h = handle();
  return { db: txStore.getStore() ?? h.outside, t: h.t, dialect: h.dialect };
}

/**
 * Raw driver handles, for the few dialect-specific operations (LISTEN/NOTIFY, advisory locks).
 * Statements on the raw SQLite handle bypass the transaction lane: tests and benchmarks only.
 */
export function rawDb(): { sqlite?: Database.Database; pg?: postgres.Sql; dialect: Dialect } {
  const h = handle();
  return { sqlite: h.sqlite, pg: h.pg, dialect: h.dialect };
}

/**
 * Runs `fn` atomically on either dialect. Drizzle's better-sqlite3 transaction only takes a
 * synchronous body (an async one commits its first statement, then throws), so on SQLite this
 * issues BEGIN IMMEDIATE / COMMIT itself around an async body while holding the lane (lane.ts):
 * one transaction at a time, and statements from outside wait until it ends instead of joining it.
 * Bodies must do database work only — no SSH or HTTP — since every other statement waits for them.
 * Nested calls join the outer transaction.
 */
export async function transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const current = txStore.getStore();
  if (current) return fn(current);
  const h = handle();
  if (h.dialect === 'postgres') {
    return (h.db as unknown as { transaction: (cb: (tx: Db) => Promise<T>) => Promise<T> }).transaction((tx) =>
      txStore.run(tx, () => fn(tx)),
    );
  }
  const sqlite = h.sqlite!;
  return h.lane!.hold(async () => {
    sqlite.exec('BEGIN IMMEDIATE');
    try {
      const result = await txStore.run(h.db, () => fn(h.db));
      sqlite.exec('COMMIT');
      return result;
    } catch (err) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw err;
    }
  });
}

const migrationsDir = (dialect: Dialect) => path.join(process.cwd(), 'drizzle', dialect === 'sqlite' ? 'sqlite' : 'pg');

export interface MigrationStep {
  idx: number;
  tag: string;
  /** drizzle-kit's timestamp: the migrator applies every journal entry newer than the last one applied. */
  when: number;
}

/** The dialect's migrations in order, as drizzle-kit's journal lists them. */
export function migrationSteps(dialect: Dialect): MigrationStep[] {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsDir(dialect), 'meta', '_journal.json'), 'utf8')) as { entries: MigrationStep[] };
  return journal.entries.map(({ idx, tag, when }) => ({ idx, tag, when })).sort((a, b) => a.idx - b.idx);
}

/** A copy of the migrations folder whose journal stops after step `through` (the upgrade-path test). */
function migrationsThrough(dialect: Dialect, through: number): string {
  const from = migrationsDir(dialect);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-migrations-'));
  const journal = JSON.parse(fs.readFileSync(path.join(from, 'meta', '_journal.json'), 'utf8')) as { entries: MigrationStep[] };
  journal.entries = journal.entries.filter((e) => e.idx <= through);
  fs.mkdirSync(path.join(dir, 'meta'));
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) fs.copyFileSync(path.join(from, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

/**
 * Applies pending migrations: all of them (start-up, the CLI), or only those up to journal index
 * `throughStep` (to build a database of an older schema). On PostgreSQL an advisory lock keeps
 * concurrent instances in line.
 */
export async function migrateDb(options: { throughStep?: number } = {}): Promise<void> {
  const h = handle();
  const partial = options.throughStep === undefined ? null : migrationsThrough(h.dialect, options.throughStep);
  const migrationsFolder = partial ?? migrationsDir(h.dialect);
  try {
    if (h.dialect === 'sqlite') {
      migrateSqlite(h.db, { migrationsFolder });
      return;
    }
    // A one-connection client: the session-level advisory lock and the migration share it.
    const one = postgres(h.url, { max: 1, onnotice: () => {} });
    try {
      await one`select pg_advisory_lock(724311)`;
      await migratePg(drizzlePg(one), { migrationsFolder });
    } finally {
      await one`select pg_advisory_unlock(724311)`.catch(() => {});
      await one.end({ timeout: 5 });
    }
  } finally {
    if (partial) fs.rmSync(partial, { recursive: true, force: true });
  }
}

/**
 * What the metrics show of the connection: PostgreSQL's pool size (postgres.js exposes no count of
 * busy connections), or the SQLite lane's queue.
 */
export function poolStats(): { dialect: Dialect; poolMax?: number; laneWaiting?: number } {
  const h = handle();
  if (h.dialect === 'sqlite') return { dialect: h.dialect, laneWaiting: h.lane!.waiting };
  return { dialect: h.dialect, poolMax: h.pg!.options.max };
}

/** Switches the process to another database (tests) after closing the current one. */
export async function switchDatabase(url: string): Promise<void> {
  await closeDb();
  state.__gatehouseDbShutDown = false;
  state.__gatehouseDb = open(url);
}

/** Closes the database; `final` (shutdown): later calls fail with UnavailableError instead of reopening it. */
export async function closeDb(opts: { final?: boolean } = {}): Promise<void> {
  if (opts.final) state.__gatehouseDbShutDown = true;
  const h = state.__gatehouseDb;
  state.__gatehouseDb = undefined;
  if (!h) return;
  h.sqlite?.close();
  await h.pg?.end({ timeout: 5 });
}

const afterCommitStore = new AsyncLocalStorage<Array<() => void>>();

/** Runs `fn` once the surrounding transaction has committed (at once when there is none). */
export function afterCommit(fn: () => void): void {
  const queue = afterCommitStore.getStore();
  if (queue && txStore.getStore()) queue.push(fn);
  else fn();
}

/** `transaction` plus after-commit hooks: what lib commands use. */
export async function atomically<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (txStore.getStore()) return transaction(fn);
  const queue: Array<() => void> = [];
  const result = await afterCommitStore.run(queue, () => transaction(fn));
  for (const hook of queue) {
    try {
      hook();
    } catch (err) {
      console.error('[gatehouse] after-commit hook failed:', (err as Error).message);
    }
  }
  return result;
}

/** Runs one raw SQL statement on either dialect (the rare dialect-specific query). */
export async function executeSql(query: import('drizzle-orm').SQL): Promise<unknown> {
  const { db, dialect } = getDb();
  if (dialect === 'sqlite') return db.run(query);
  return (db as unknown as { execute: (q: import('drizzle-orm').SQL) => Promise<unknown> }).execute(query);
}
