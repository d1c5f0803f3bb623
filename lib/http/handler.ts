import type { z } from 'zod';
import { actorFromRequest } from '../auth/session';
import type { Actor } from '../access/actor';
import { requireSomeOperate } from '../access/rbac';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, zodFields } from '../errors';
import { errorResponse, toErrorResponse } from './errors';
import type { Operation } from '../operation';
import { countRequest } from '../metrics';
import { DRAINING_MESSAGE, DRAINING_RETRY_AFTER_SECONDS, isDraining } from '../lifecycle';
import { nulPath } from '../text';

const MAX_BODY_BYTES = 1024 * 1024;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerContext<O extends Operation> {
  actor: O['auth'] extends 'public' ? Actor | null : Actor;
  body: Out<O['body']>;
  query: Out<O['query']>;
  params: Record<string, string>;
  request: Request;
}

/** `application/json`, any `+json` type, or none given (curl without -H, scripts that send the JSON bare). */
const isJsonType = (type: string | null) => {
  const media = (type ?? '').split(';')[0]!.trim().toLowerCase();
  return media === '' || media === 'application/json' || /^application\/[\w.+-]+\+json$/.test(media);
};

async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) return { ok: false, response: errorResponse(413, 'payload_too_large', 'The request body is larger than 1 MiB.') };
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { ok: false, response: errorResponse(413, 'payload_too_large', 'The request body is larger than 1 MiB.') };
  if (text.trim() === '') return { ok: true, value: {} };
  if (!isJsonType(request.headers.get('content-type'))) {
    return { ok: false, response: errorResponse(415, 'unsupported_media_type', 'Send the body as JSON, with Content-Type: application/json.') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: errorResponse(400, 'invalid_json', 'The request body is not valid JSON.') };
  }
}

function parseWith(schema: z.ZodType, value: unknown) {
  // No field anywhere takes a NUL character, and PostgreSQL could not store one.
  const nul = nulPath(value);
  if (nul) throw ValidationError.field(nul, 'Text cannot contain NUL characters.');
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(zodFields(r.error));
  return r.data;
}

const ANSWER = Symbol('answer');
interface Answer {
  [ANSWER]: true;
  status: number;
  body: unknown;
}

/** A handler's result with a status other than the operation's usual one (e.g. 202 for a queued ACME order). */
export const answer = (status: number, body: unknown): Answer => ({ [ANSWER]: true, status, body });
const isAnswer = (v: unknown): v is Answer => typeof v === 'object' && v !== null && ANSWER in v;

/**
 * Builds a Next.js route handler from an operation: authenticate → check role → parse → call the
 * lib function → answer. Every handler has these same beats; errors map in one place.
 */
export function handle<O extends Operation>(op: O, fn: (ctx: HandlerContext<O>) => Promise<unknown>) {
  return async (request: Request, context: { params: Promise<Record<string, string>> }): Promise<Response> => countRequest(op.method, `/api/v1${op.path}`, async () => {
    // Shutting down: every operation (health too, so a load balancer moves away) is refused.
    if (isDraining()) return errorResponse(503, 'unavailable', DRAINING_MESSAGE, {}, { 'Retry-After': String(DRAINING_RETRY_AFTER_SECONDS) });
    try {
      const actor = op.auth === 'public' ? null : await actorFromRequest(request);
      if (op.auth !== 'public' && !actor) throw new UnauthorizedError();
      // settings.security.require2fa: a password session without two-factor may only reach /me (to set it up).
      if (actor?.mustEnrolTwoFactor && !/^\/me(\/|$)/.test(op.path)) {
        return errorResponse(403, 'two_factor_required', 'Set up two-factor sign-in first (Account, or POST /me/2fa/enrol); it is required here.');
      }
      if (op.auth === 'admin' && actor!.role !== 'admin') throw new ForbiddenError('Only an admin can do this.');
      // Operators: the feature checks the server concerned; someone who operates none stops here.
      if (op.auth === 'operate') await requireSomeOperate(actor!);
      let body: unknown;
      if (op.body) {
        const read = await readJson(request);
        if (!read.ok) return read.response;
        body = parseWith(op.body, read.value);
      }
      const query = op.query ? parseWith(op.query, queryObject(new URL(request.url).searchParams)) : undefined;
      const params = (await context?.params) ?? {};
      // An id with a NUL names nothing (and PostgreSQL could not even compare it).
      if (Object.values(params).some((v) => v.includes('\u0000'))) throw new NotFoundError();
      const result = await fn({ actor, body, query, params, request } as HandlerContext<O>);
      if (result instanceof Response) return result;
      if (isAnswer(result)) return Response.json(result.body, { status: result.status });
      const status = op.status ?? 200;
      if (status === 204 || result === undefined) return new Response(null, { status: 204 });
      return Response.json(result, { status });
    } catch (err) {
      return toErrorResponse(err);
    }
  });
}

/** A query string as an object; a key given more than once (`?tag=a&tag=b`) becomes an array. */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}
