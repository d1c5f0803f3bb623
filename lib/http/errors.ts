import { typedError, UnavailableError } from '../errors';
import { asUnavailable, unavailableLogLine } from '../db/unavailable';

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string[]>; details?: Record<string, unknown> };
}

export function errorResponse(status: number, code: string, message: string, extra: Partial<ErrorBody['error']> = {}, headers?: HeadersInit) {
  return Response.json({ error: { code, message, ...extra } } satisfies ErrorBody, { status, headers });
}

/** Driver errors that are really the caller's fault: unique and foreign-key violations. */
function constraintError(err: unknown): Response | null {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505') {
    return errorResponse(409, 'conflict', 'This conflicts with an existing record.');
  }
  if (e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || e?.code === '23503') {
    return errorResponse(409, 'conflict', 'A related record is missing or still in use.');
  }
  return null;
}

/**
 * Maps anything thrown in a handler to the CONTRACT.md error shape (typed errors, SSH and network
 * failures through `typedError`). Unknown errors become a generic 500 whose text reveals nothing;
 * the detail goes to the server log only.
 */
export function toErrorResponse(err: unknown): Response {
  // Typed first: a failed fetch carries a socket code (ECONNREFUSED) that is not the database's.
  const typed = typedError(err);
  const unavailable = typed instanceof UnavailableError ? typed : typed ? null : asUnavailable(err);
  if (unavailable) {
    console.error(unavailableLogLine(unavailable, err));
    return errorResponse(503, unavailable.code, unavailable.message, {}, { 'Retry-After': '5' });
  }
  if (typed) {
    const headers = typed.status === 429 && 'retryAfterSeconds' in typed ? { 'Retry-After': String(typed.retryAfterSeconds) } : undefined;
    return errorResponse(typed.status, typed.code, typed.message, { ...(typed.fields && { fields: typed.fields }), ...(typed.details && { details: typed.details }) }, headers);
  }
  const constraint = constraintError(err) ?? constraintError((err as { cause?: unknown })?.cause);
  if (constraint) return constraint;
  console.error('[gatehouse] unhandled API error:', err instanceof Error ? err.stack : err);
  return errorResponse(500, 'internal_error', 'Something went wrong on the server. It has been logged.');
}

