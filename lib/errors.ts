import type { z } from 'zod';

const APP_ERROR = Symbol.for('gatehouse.AppError');

/**
 * Typed errors thrown by lib/. The API and action wrappers map them to the CONTRACT.md error
 * shape or to form state; their messages are written for users and never carry secrets.
 *
 * `err instanceof AppError` also holds for an AppError made by another copy of this module:
 * Next.js bundles lib/ once per layer (instrumentation, route handlers, server actions), and a
 * process-wide singleton made in one (the SSH pool, the Glances client) throws that copy's
 * classes into another. A plain prototype check would miss them and answer 500.
 */
export class AppError extends Error {
  static [Symbol.hasInstance](this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === AppError && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[APP_ERROR] === true;
  }

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string[]>,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
Object.defineProperty(AppError.prototype, APP_ERROR, { value: true });

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first.') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super(404, 'not_found', `${what} not found.`);
  }
}

export class ConflictError extends AppError {
  /**
   * `field`: the input field the conflict is about (a taken e-mail or name), so a form shows the
   * message beside that field rather than only at the top; the API answer carries it in `fields`.
   */
  constructor(code: string, message: string, details?: Record<string, unknown>, field?: string) {
    super(409, code, message, field ? { [field]: [message] } : undefined, details);
  }
}

export class ValidationError extends AppError {
  constructor(fields: Record<string, string[]>, message = 'Some fields are not valid.') {
    super(422, 'validation_failed', message, fields);
  }

  /** One field, one message: `ValidationError.field('email', 'Already taken.')`. */
  static field(name: string, message: string): ValidationError {
    return new ValidationError({ [name]: [message] }, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number, message = 'Too many attempts. Try again later.') {
    super(429, 'rate_limited', message);
  }
}

/**
 * The database cannot take the request now: down, restarting, out of disk space, locked past
 * its timeout or read-only. `reason` is a short cause for the server log (a driver code such as
 * SQLITE_FULL or 57P01), never shown to users.
 */
export class UnavailableError extends AppError {
  constructor(
    readonly reason = 'database unavailable',
    message = 'The database is not available right now (it may be restarting or out of disk space); nothing was changed. Try again shortly.',
  ) {
    super(503, 'unavailable', message);
  }
}

/**
 * A managed server (or another host Gatehouse talks to for a request) could not be reached,
 * refused the connection or the login, offered a changed host key, or timed out: 502
 * `server_unreachable`, or 504 `server_timeout`. Not a bug in the request nor in Gatehouse.
 * `details.reason` names the cause for scripts (`refused`, `timeout`, `auth_failed`,
 * `host_key_mismatch`, …); the message is plain, names no address and no secret.
 */
export class ServerUnreachableError extends AppError {
  constructor(message: string, readonly reason: string, readonly timedOut = false) {
    super(timedOut ? 504 : 502, timedOut ? 'server_timeout' : 'server_unreachable', message, undefined, { reason });
  }
}

const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_SOCKET: 'closed',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
};

const NETWORK_MESSAGES: Record<string, string> = {
  refused: 'The server refused the connection.',
  closed: 'The server closed the connection.',
  timeout: 'The server did not answer in time.',
  unreachable: 'The server is unreachable from Gatehouse.',
  dns: 'The server name could not be resolved.',
};

/**
 * A failed `fetch` (undici: a TypeError "fetch failed" whose `cause` holds the socket error, or an
 * UND_ERR_* code) or an `AbortSignal.timeout`: its one-word kind. Bare socket codes are not taken
 * here: from the database driver they mean an outage (lib/db/unavailable.ts, answered 503).
 */
function networkFailure(err: unknown): string | null {
  const top = err as { name?: unknown; message?: unknown; code?: unknown } | null;
  if (typeof top !== 'object' || top === null) return null;
  if (top.name === 'TimeoutError') return 'timeout';
  const code = top.code;
  const isFetch = (err instanceof TypeError && top.message === 'fetch failed') || (typeof code === 'string' && code.startsWith('UND_ERR'));
  if (!isFetch) return null;
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && NETWORK_FAILURES[code]) return NETWORK_FAILURES[code];
    if (name === 'ConnectTimeoutError') return 'timeout';
  }
  return 'unreachable';
}

/**
 * The one place that decides whether something thrown has a typed answer: an AppError as it is;
 * an error that knows its typed form (`toAppError()`, e.g. every SshError: 502/504); a socket or
 * fetch failure (refused, reset, timed out, unreachable, unresolvable) as ServerUnreachableError.
 * Null for anything else: a real bug, answered 500 by the caller.
 */
export function typedError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const convert = (err as { toAppError?: unknown } | null)?.toAppError;
  if (typeof convert === 'function') {
    const converted: unknown = convert.call(err);
    if (converted instanceof AppError) return converted;
  }
  const failure = networkFailure(err);
  if (failure) return new ServerUnreachableError(NETWORK_MESSAGES[failure], failure, failure === 'timeout');
  return null;
}

/** A count in words for messages: `plural(1, 'domain')` → "1 domain", `plural(2, 'file')` → "2 files". */
export const plural = (n: number | bigint, one: string, many = `${one}s`): string => `${n} ${Number(n) === 1 ? one : many}`;

/**
 * zod's own messages ("Invalid input: expected number, received string", "Too small: expected
 * number to be >=1") are for developers; a schema that gives no message of its own gets one of
 * these instead, written for the person filling in the form.
 */
function humanMessage(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid|Too (small|big)|Expected|Unrecognized)\b/.test(issue.message)) return issue.message;
  const i = issue as z.core.$ZodIssue & { input?: unknown; origin?: string; minimum?: number | bigint; maximum?: number | bigint; expected?: string; values?: unknown[]; format?: string };
  switch (issue.code) {
    case 'invalid_type':
      // zod keeps the input out of issues unless asked; its message says what it received.
      if ((i.input === undefined && / received (undefined|null)$/.test(issue.message)) || i.input === null || i.input === '') return 'This field is required.';
      if (i.expected === 'number' || i.expected === 'int') return 'Enter a number.';
      if (i.expected === 'boolean') return 'Choose yes or no.';
      if (i.expected === 'array') return 'Choose from the list.';
      return 'This value is not valid here.';
    case 'too_small':
      if (i.origin === 'string') return Number(i.minimum) <= 1 ? 'This field is required.' : `Use at least ${plural(i.minimum!, 'character')}.`;
      if (i.origin === 'array' || i.origin === 'set') return Number(i.minimum) <= 1 ? 'Choose at least one.' : `Choose at least ${i.minimum}.`;
      return `Enter a number of at least ${i.minimum}.`;
    case 'too_big':
      if (i.origin === 'string') return `Use at most ${plural(i.maximum!, 'character')}.`;
      if (i.origin === 'array' || i.origin === 'set') return `Choose at most ${i.maximum}.`;
      return `Enter a number of at most ${i.maximum}.`;
    case 'invalid_value':
      return i.values && i.values.length <= 8 ? `Choose one of: ${i.values.map(String).join(', ')}.` : 'Choose one of the options.';
    case 'invalid_format':
      return i.format === 'email' ? 'Enter an e-mail address such as name@example.com.' : i.format === 'url' ? 'Enter a URL such as https://example.com.' : 'This value is not in the expected format.';
    case 'invalid_union':
      return 'This value is not valid here.';
    default:
      return 'This value is not valid here.';
  }
}

/** zod issues → `{ "a.b": ["message"] }` (root-level issues under "_"), in words a person reads. */
export function zodFields(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    const message =
      issue.code === 'unrecognized_keys' ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` : humanMessage(issue);
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      for (const k of issue.keys) (fields[k] ??= []).push('Unknown field.');
      continue;
    }
    const list = (fields[key] ??= []);
    // One message per field: several checks failing the same way say the same thing once.
    if (!list.includes(message)) list.push(message);
  }
  return fields;
}

/** Parses with a zod schema, throwing ValidationError with field messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(zodFields(r.error));
  return r.data;
}
