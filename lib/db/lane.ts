import { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/**
 * Every request and job shares the one better-sqlite3 connection, so a statement issued while a
 * transaction's body awaits would run inside that transaction and vanish with its rollback (after
 * its caller was told it succeeded). The lane orders them: a transaction holds it for its whole
 * body, and a statement from outside waits until the lane is free, then runs; transactions and
 * parked statements go in arrival order, so neither starves the other.
 */
export class Lane {
  private tail: Promise<void> = Promise.resolve();
  /** Transactions and parked statements not yet finished: 0 means a statement may run at once. */
  private queued = 0;
  private readonly done = () => {
    this.queued--;
  };

  /** Transactions and parked statements waiting or running (the metrics' lane depth). */
  get waiting(): number {
    return this.queued;
  }

  /** `inside()` tells whether the caller runs in the body of the transaction holding the lane. */
  constructor(private readonly inside: () => boolean) {}

  /** Runs a transaction: `body` starts once everything queued before it has finished. */
  async hold<T>(body: () => Promise<T>): Promise<T> {
    this.queued++;
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    try {
      await previous;
      return await body();
    } finally {
      this.done();
      release();
    }
  }

  /**
   * Runs one statement: at once when nothing is queued, or when the caller is in the holding
   * transaction's body (it used a handle taken outside: waiting would deadlock on itself).
   */
  statement<T>(run: () => T): Promise<T> {
    if (this.queued === 0 || this.inside()) {
      try {
        return Promise.resolve(run());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    this.queued++;
    const result = this.tail.then(run);
    this.tail = result.then(this.done, this.done);
    return result;
  }
}

type PreparedQuery = Record<'run' | 'all' | 'get' | 'values', (placeholders?: unknown) => unknown>;
type Session = { prepareQuery: (...args: unknown[]) => PreparedQuery };
type Internals = { session: Session; dialect: unknown; _: unknown };

/**
 * The database seen outside a transaction: the same connection, but every statement goes through
 * the lane. Drizzle's builders all execute through the session's prepared queries
 * (run/all/get/values, also for `db.run`, `$count`, relational queries and `.prepare()`), so they
 * are wrapped there; the database is in drizzle's async mode because its statements may wait.
 */
export function lanedDatabase<D>(raw: D, lane: Lane): D {
  const { session, dialect, _ } = raw as unknown as Internals;
  const handler: ProxyHandler<PreparedQuery> = {
    get(target, prop, receiver) {
      if (prop === 'run' || prop === 'all' || prop === 'get' || prop === 'values') {
        // Called on the target, so `all` reaching `this.values` stays synchronous inside the lane.
        return (placeholders?: unknown) => lane.statement(() => target[prop](placeholders));
      }
      return Reflect.get(target, prop, receiver);
    },
  };
  const laned: Session = Object.create(session, {
    prepareQuery: { value: (...args: unknown[]) => new Proxy(session.prepareQuery(...args), handler) },
    transaction: {
      value: () => {
        throw new Error('Use transaction() from lib/db: drizzle-managed SQLite transactions would bypass the lane.');
      },
    },
  });
  const Database = BetterSQLite3Database as unknown as new (kind: 'async', dialect: unknown, session: Session, schema: unknown) => D;
  return new Database('async', dialect, laned, _);
}
