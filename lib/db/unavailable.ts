import { UnavailableError } from '../errors';

/**
 * Recognises the driver errors that mean "the database cannot take this now" rather than "this
 * request is wrong": the caller should get 503 `unavailable` and may try again; nothing of the
 * failed statement's transaction was kept (both engines roll it back). Everything else is left
 * to the generic 500 path, so a real bug is never dressed up as an outage.
 */

// better-sqlite3 codes are the extended result codes: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, …
const SQLITE = /^SQLITE_(FULL|IOERR|BUSY|READONLY|CANTOPEN)(_|$)/;
// postgres.js's own connection failures, and the socket errors it passes through.
const CONNECTION = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
]);
// SQLSTATE: 08 connection exception; 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
// connect now (starting up); 53100 disk full, 53200 out of memory, 53300 too many connections;
// 25006 read-only transaction (a hot standby after a fail-over).
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53[123]00|25006)$/;

function codeOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** The driver code that makes `err` (or an error in its `cause` chain) an outage, or null. */
export function unavailableCode(err: unknown): string | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof UnavailableError) return e.reason;
    const code = codeOf(e);
    if (code && (SQLITE.test(code) || CONNECTION.has(code) || SQLSTATE.test(code))) return code;
  }
  return null;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  return unavailableCode(err) !== null;
}

/** `err` as an UnavailableError when it is an outage (see above), else null. */
export function asUnavailable(err: unknown): UnavailableError | null {
  if (err instanceof UnavailableError) return err;
  const code = unavailableCode(err);
  return code ? new UnavailableError(code) : null;
}

/**
 * The server log's line for an outage: one line, no stack (a stack per failed request would bury
 * the cause), the driver's code and its own innermost message.
 */
export function unavailableLogLine(unavailable: UnavailableError, err: unknown): string {
  let e = err as { message?: unknown; cause?: unknown } | null;
  for (let depth = 0; e?.cause && depth < 5; depth++) e = e.cause as typeof e;
  const text = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return `[gatehouse] database unavailable (${unavailable.reason}): ${text.replace(/\s+/g, ' ').trim().slice(0, 300)}`;
}

/**
 * Runs an idempotent write again while the database is unavailable, until it succeeds or
 * `timeoutMs` has passed (then the last error is thrown). For the few writes whose loss would
 * leave something broken even though the work they record is done: a task's final state, an
 * outbox row's "sent". Never for inserts, which a commit whose answer was lost would double.
 */
export async function retryWhileUnavailable<T>(fn: () => Promise<T>, opts: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() >= deadline) throw err;
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }
}
