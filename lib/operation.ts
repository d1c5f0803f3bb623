import type { z } from 'zod';

/**
 * One REST operation: method, path, who may call it and its zod schemas. Route handlers are built
 * from it (lib/http/handler.ts) and the OpenAPI document is generated from the same objects, so
 * the document cannot drift from what the API accepts.
 */
export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** OpenAPI path under /api/v1, e.g. `/users/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /**
   * public: no auth; user: any signed-in user; operate: admins and users the server is shared
   * with at level `operate` (lib/access/rbac.ts checks it in the feature: 403 for a `view` share,
   * 404 when not shared); admin: admins only (403 for users).
   */
  auth: 'public' | 'user' | 'operate' | 'admin';
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** Success status; 200 by default. */
  status?: number;
  /**
   * Other successful answers, by status: e.g. 202 `{taskId, certificateId}` for a queued ACME order
   * next to the 201 of an uploaded certificate. A handler gives one with `answer(status, body)`.
   */
  alternatives?: Record<number, { description: string; response: z.ZodType }>;
  /**
   * Error answers particular to this operation, by status, with what they mean (409 conflicts, 429,
   * 502/504 from a server it reaches). The usual ones need no entry: 401 (signed in), 403 (admin),
   * 404 (a path id), 422 (input), 400/413/415 (a JSON body) and 503 are documented from the rest.
   */
  errors?: Partial<Record<number, string>>;
  /** Response media type when not JSON (e.g. text/plain, text/event-stream). */
  produces?: string;
  description?: string;
}

/**
 * What a route that reaches a managed server or another host answers when that host fails and
 * the view cannot say so with a status field of its own (SshError and failed fetches become
 * these in lib/errors.ts `typedError`). `details.reason`: `refused`, `timeout`, `unreachable`,
 * `dns`, `closed`, `auth_failed`, `host_key_mismatch`, …
 */
export const serverErrors = {
  502: '`server_unreachable`: the server refused the connection or the login, offered a changed host key, or cannot be reached (`details.reason` names which)',
  504: '`server_timeout`: the server did not answer in time',
} as const;

export const defineOperations = <T extends Record<string, Operation>>(ops: T): T => ops;
