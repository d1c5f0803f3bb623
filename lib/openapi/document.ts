import { z } from 'zod';
import type { Operation } from '../operation';
import { allOperations } from './operations';
import { version } from '../system/health';
import { eventTypes } from '../registry';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        details: { type: 'object', description: 'Extra facts for scripts, e.g. `reason` of a 502/504 (`refused`, `timeout`, `auth_failed`, `host_key_mismatch`, …)' },
      },
    },
  },
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

function queryParameters(schema: z.ZodType) {
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: s }));
}

function operationObject(key: string, op: Operation) {
  const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const status = String(op.status ?? 200);
  const responses: Record<string, unknown> = {
    [status]:
      status === '204'
        ? { description: 'Done' }
        : { description: 'OK', content: { [op.produces ?? 'application/json']: op.response ? { schema: jsonSchema(op.response, 'output') } : {} } },
  };
  for (const [alt, { description, response }] of Object.entries(op.alternatives ?? {})) {
    responses[alt] = { description, content: { 'application/json': { schema: jsonSchema(response, 'output') } } };
  }
  const err = (d: string) => ({ description: d, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  if (op.body) {
    responses['400'] = err('`invalid_json`: the body is not valid JSON');
    responses['413'] = err('`payload_too_large`: the body is larger than 1 MiB');
    responses['415'] = err('`unsupported_media_type`: a body sent as something other than `application/json`');
  }
  if (op.auth !== 'public') responses['401'] = err('Not signed in');
  const forbidden = [
    ...(op.auth === 'admin' ? ['Signed in but not an admin'] : []),
    ...(op.auth === 'operate' ? ['Signed in but neither an admin nor an operator of this server (its share is `view`), or a field only an admin may set (`customDirectives`)'] : []),
    // lib/http/origin.ts, applied by proxy.ts to every state-changing request.
    ...(op.method !== 'GET' ? ['`forbidden_origin`: sent with a session cookie from another site (its `Origin` is not the console\'s own); bearer-token requests are never refused this way'] : []),
  ];
  if (forbidden.length) responses['403'] = err(forbidden.join('; or '));
  if (op.path.includes('{')) responses['404'] = err('Absent or not visible to you');
  if (op.body || op.query) responses['422'] = err('Validation failed; `fields` names each problem');
  for (const [code, d] of Object.entries(op.errors ?? {})) if (d) responses[code] = err(d);
  responses['503'] = err('`unavailable`: the database is down or its disk is full; nothing was changed, try again');
  return {
    operationId: key,
    summary: op.summary,
    ...(op.description && { description: op.description }),
    tags: [op.tag],
    ...(op.auth === 'public' ? { security: [] } : {}),
    parameters: [...pathParams, ...(op.query ? queryParameters(op.query) : [])],
    ...(op.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }),
    responses,
    'x-gatehouse-role': op.auth,
  };
}

/** The OpenAPI 3.1 document, generated from the same operation objects the handlers use. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [feature, ops] of Object.entries(allOperations)) {
    for (const [name, op] of Object.entries(ops)) {
      (paths[op.path] ??= {})[op.method.toLowerCase()] = operationObject(`${feature}.${name}`, op);
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse API', version, description: 'Manage Nginx reverse proxies on your own servers. See CONTRACT.md.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (Account → API tokens, or `cli tokens create`)' },
        session: { type: 'apiKey', in: 'cookie', name: 'authjs.session-token' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
    'x-gatehouse-event-types': eventTypes,
  };
}
