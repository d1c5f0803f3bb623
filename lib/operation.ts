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
  /** Response media type when not JSON (e.g. text/plain, text/event-stream). */
  produces?: string;
  description?: string;
}

export const defineOperations = <T extends Record<string, Operation>>(ops: T): T => ops;
