import type { z } from 'zod';

/**
 * Typed errors thrown by lib/. The API and action wrappers map them to the CONTRACT.md error
 * shape or to form state; their messages are written for users and never carry secrets.
 */
export class AppError extends Error {
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
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(409, code, message, undefined, details);
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

/** zod issues → `{ "a.b": ["message"] }` (root-level issues under "_"). */
export function zodFields(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    const message =
      issue.code === 'unrecognized_keys' ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` : issue.message;
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      for (const k of issue.keys) (fields[k] ??= []).push('Unknown field.');
      continue;
    }
    (fields[key] ??= []).push(message);
  }
  return fields;
}

/** Parses with a zod schema, throwing ValidationError with field messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(zodFields(r.error));
  return r.data;
}
