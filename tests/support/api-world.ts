/**
 * What the schema-driven API tests (tests/integration/api-fuzz.test.ts, api-rbac-matrix.test.ts)
 * share: the app's own OpenAPI document (fetched from GET /api/v1/openapi.json in-process), a
 * response validator built from it with ajv, a raw in-process caller that also copes with SSE
 * streams, a cheap database fingerprint, and a "world" of real parts to aim at: three servers (one
 * behind a real sshd that is up, one whose sshd was stopped, one on a port nobody listens on), and
 * one resource of every kind on the up server, shared with one user and not with another.
 */
import crypto from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { eq } from 'drizzle-orm';
import { api, routeHandler } from './api';
import { generateKeyPair, startSshd, type SshdInstance } from './sshd';
import { freePort } from './ports';
import { makeChain, daysFromNow } from '../integration/certs-openssl';
import { cliActor } from '@/lib/access/actor';
import { createUser } from '@/lib/users/service';
import { createToken } from '@/lib/tokens/service';
import { getDb, newId, rawDb } from '@/lib/db';
import { seedBuiltinTemplates } from '@/lib/proxy/templates-service';

// ---------------------------------------------------------------------------------------------
// The document

export interface DocOperation {
  /** "METHOD /path" as in the document, e.g. "GET /servers/{id}". */
  key: string;
  method: string;
  path: string;
  operationId: string;
  role: 'public' | 'user' | 'admin';
  produces: string | undefined;
  hasBody: boolean;
  bodySchema?: Record<string, unknown>;
  queryParams: Array<{ name: string; required: boolean; schema: Record<string, unknown> }>;
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

export async function loadDocument(): Promise<{ doc: any; operations: DocOperation[] }> {
  const r = await api('GET', '/api/v1/openapi.json');
  if (r.status !== 200) throw new Error(`GET /openapi.json answered ${r.status}`);
  const doc = r.body;
  const operations: DocOperation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(methods)) {
      const ok = Object.entries<any>(op.responses).find(([s]) => s.startsWith('2'));
      operations.push({
        key: `${m.toUpperCase()} ${path}`,
        method: m.toUpperCase(),
        path,
        operationId: op.operationId,
        role: op['x-gatehouse-role'],
        produces: ok?.[1]?.content ? Object.keys(ok[1].content)[0] : undefined,
        hasBody: !!op.requestBody,
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        queryParams: (op.parameters ?? []).filter((p: any) => p.in === 'query'),
        responses: op.responses,
      });
    }
  }
  return { doc, operations };
}

/**
 * Validates answers against the document. zod's `z.toJSONSchema(…, { target: 'draft-2020-12' })`
 * emits JSON Schema 2020-12 (each schema carries `$schema: …/draft/2020-12/schema`), so this is
 * ajv's 2020 build, strict about the schemas themselves, with the three formats zod emits.
 */
export function responseValidator(doc: any) {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false, validateFormats: true });
  // RFC 3339 date-time, a pragmatic e-mail and an absolute URI: what zod's z.iso.datetime(), z.email() and z.url() promise.
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  ajv.addFormat('uri', { validate: (s: string) => URL.canParse(s) });
  ajv.addKeyword({ keyword: 'x-gatehouse-role' });
  const errorSchema = doc.components.schemas.Error;
  const cache = new Map<unknown, ValidateFunction>();
  const compile = (schema: Record<string, unknown>) => {
    let v = cache.get(schema);
    if (!v) {
      const inlined = JSON.parse(JSON.stringify(schema, (_k, val) => (val && val.$ref === '#/components/schemas/Error' ? errorSchema : val)));
      v = ajv.compile(inlined);
      cache.set(schema, v);
    }
    return v;
  };
  /** Null when the answer is one the document promises; otherwise what is wrong with it. */
  return (op: DocOperation, res: RawAnswer): string | null => {
    const documented = op.responses[String(res.status)];
    if (!documented) return `status ${res.status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`;
    if (!documented.content) return res.text === '' ? null : `status ${res.status} is documented without a body, but one came: ${res.text.slice(0, 200)}`;
    const [mediaType, media] = Object.entries(documented.content)[0]!;
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (contentType !== mediaType) return `content-type ${contentType || '(none)'} where the document says ${mediaType}`;
    if (mediaType !== 'application/json') return null;
    if (!media.schema) return null;
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return `the body is not JSON: ${res.text.slice(0, 200)}`;
    }
    const validate = compile(media.schema);
    if (validate(body)) return null;
    return `body does not match the ${res.status} schema: ${ajv.errorsText(validate.errors)}; body: ${res.text.slice(0, 300)}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Calling the handlers in-process, raw

export interface RawRequest {
  method: string;
  /** Path under /api/v1, already encoded, with query string. */
  path: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Runs the route handler like Next.js would. A streaming answer (SSE) is read until its first
 * frame and then cancelled, so one request never holds the run.
 */
export async function callRaw(req: RawRequest): Promise<RawAnswer> {
  const route = await routeHandler(req.method, `/api/v1${req.path}`);
  if (!route.handler) return { status: 405, headers: new Headers(), text: '' };
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const abort = new AbortController();
  const request = new Request(route.url, { method: req.method, headers, body: req.body, signal: abort.signal });
  const res = await route.handler(request, { params: Promise.resolve(route.params) });
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    const reader = res.body!.getReader();
    const first = await reader.read();
    abort.abort();
    await reader.cancel().catch(() => {});
    return { status: res.status, headers: res.headers, text: first.value ? new TextDecoder().decode(first.value) : '' };
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Fills `{name}` segments of a document path. */
export const fillPath = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_m, n) => values[n] ?? 'x');

// ---------------------------------------------------------------------------------------------
// Database fingerprint

/**
 * A digest of every table, in one round trip per table group: row counts and a hash of the rows.
 * `api_tokens.last_used_at` is left out: authenticating a request stamps it, whatever the answer.
 */
export async function dbFingerprintFn(): Promise<() => Promise<string>> {
  const { sqlite, pg, dialect } = rawDb();
  const ignored = new Set(['api_tokens.last_used_at']);
  if (dialect === 'sqlite') {
    const tables = (sqlite!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    const parts = tables.map((t) => {
      const cols = (sqlite!.prepare(`PRAGMA table_info("${t}")`).all() as Array<{ name: string }>).map((c) => c.name).filter((c) => !ignored.has(`${t}.${c}`));
      const row = `json_array(${cols.map((c) => `"${c}"`).join(', ')})`;
      return `SELECT '${t}' AS t, (SELECT count(*) FROM "${t}") AS n, (SELECT group_concat(r, '|') FROM (SELECT ${row} AS r FROM "${t}" ORDER BY 1)) AS rows`;
    });
    const stmt = sqlite!.prepare(parts.join(' UNION ALL '));
    return async () => crypto.createHash('sha256').update(JSON.stringify(stmt.all())).digest('hex');
  }
  const tables = (await pg!`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '__drizzle%' ORDER BY 1`).map((r) => r.table_name as string);
  const parts: string[] = [];
  for (const t of tables) {
    const cols = (await pg!`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${t} ORDER BY ordinal_position`)
      .map((r) => r.column_name as string)
      .filter((c) => !ignored.has(`${t}.${c}`));
    const row = `json_build_array(${cols.map((c) => `"${c}"`).join(', ')})::text`;
    parts.push(`SELECT '${t}' AS t, (SELECT count(*) FROM "${t}")::int AS n, (SELECT md5(coalesce(string_agg(r, '|' ORDER BY r), '')) FROM (SELECT ${row} AS r FROM "${t}") x) AS h`);
  }
  const query = parts.join(' UNION ALL ');
  return async () => crypto.createHash('sha256').update(JSON.stringify(await pg!.unsafe(query))).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// The world

export interface WorldUser {
  id: string;
  email: string;
  token: string;
}

export interface World {
  admin: WorldUser;
  /** A user the up server (and everything on it) is shared with. */
  shared: WorldUser;
  /** A user nothing is shared with. */
  unshared: WorldUser;
  /** A deactivated user whose token was made while active; sharing stays in place. */
  deactivated: WorldUser;
  /**
   * up: a real sshd; down: its sshd was stopped; refusing: a port nobody listens on; hostKey: the
   * up sshd pinned to another key; auth: the up sshd with a key it does not accept.
   */
  servers: { up: string; down: string; refusing: string; hostKey: string; auth: string };
  sshd: SshdInstance;
  /**
   * Ids of resources of every kind, keyed by the first path segment (`servers`, `domains`, …); the
   * first of each is on (or about) the up server, shared with `shared`; servers and domains also
   * have one on the down and one on the refusing server.
   */
  ids: Record<string, string[]>;
  /** A template body that renders (the built-in HTTP one with a comment added). */
  templateBody: string;
  /** Extra ids an operation may change or delete without breaking the world. */
  spare: Record<string, string[]>;
  stop: () => Promise<void>;
}

const must = async (what: string, p: Promise<{ status: number; body: any; text: string }>) => {
  const r = await p;
  if (r.status >= 300) throw new Error(`world: ${what} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.body;
};

export async function buildWorld(): Promise<World> {
  const mk = async (role: 'admin' | 'user', label: string): Promise<WorldUser> => {
    const email = `${label}-${crypto.randomBytes(3).toString('hex')}@example.test`;
    const u = await createUser(cliActor, { email, password: `${label}-password-1`, role, name: label });
    const { token } = await createToken(cliActor, { name: 'world' }, u.id);
    return { id: u.id, email, token };
  };
  const admin = await mk('admin', 'admin');
  const shared = await mk('user', 'shared');
  const unshared = await mk('user', 'unshared');
  const deactivated = await mk('user', 'deactivated');
  const A = admin.token;
  const post = (path: string, body: unknown, token = A) => must(`POST ${path}`, api('POST', `/api/v1${path}`, { token, body }));

  const sshd = await startSshd({ users: [{ name: 'root' }] });
  const stopped = await startSshd({ users: [{ name: 'root' }] });
  const stoppedPort = stopped.port;
  const stoppedFingerprint = stopped.hostKeyFingerprint;
  await stopped.stop();
  const closedPort = await freePort();
  const root = sshd.user('root');
  const serverBody = (name: string, port: number, fingerprint: string | null) => ({
    name, host: '127.0.0.1', sshPort: port, sshUser: 'root', authMethod: 'key', privateKey: root.privateKey, hostKeyFingerprint: fingerprint,
    monitoringEnabled: false, sharedWith: [shared.id, deactivated.id],
  });
  const up = (await post('/servers', serverBody('fuzz-up', sshd.port, sshd.hostKeyFingerprint))).id;
  const down = (await post('/servers', serverBody('fuzz-down', stoppedPort, stoppedFingerprint))).id;
  const refusing = (await post('/servers', serverBody('fuzz-refusing', closedPort, null))).id;
  const hostKey = (await post('/servers', serverBody('fuzz-host-key', sshd.port, stoppedFingerprint))).id;
  const wrongKey = await generateKeyPair();
  const auth = (await post('/servers', { ...serverBody('fuzz-auth', sshd.port, sshd.hostKeyFingerprint), privateKey: wrongKey.privateKey })).id;
  const spareServer = (n: number) => post('/servers', { ...serverBody(`fuzz-spare-${n}`, closedPort, null), sharedWith: [shared.id] });

  const targetPort = await freePort();
  const upstream = await post('/upstreams', { name: 'fuzz-pool', targets: [{ host: '127.0.0.1', port: targetPort }] });
  await seedBuiltinTemplates();
  const builtinBody = (await must('GET /templates/builtin-http', api('GET', '/api/v1/templates/builtin-http', { token: A }))).body as string;
  const templateBody = builtinBody.replace('client_max_body_size', '# fuzz\n    client_max_body_size');
  const template = await post('/templates', { name: 'fuzz-template', kind: 'http', body: templateBody });
  const chain = makeChain(['fuzz.example.test'], { notAfter: daysFromNow(60) });
  const cert = await post('/certificates', { certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: chain.intermediate.certPem });
  // An access list attached to the domain on the up server: users see it through that domain.
  const accessList = await post('/access-lists', { name: 'fuzz-access', satisfy: 'any', users: [{ username: 'fuzz', password: 'fuzz-password-1' }], rules: [{ action: 'allow', source: '127.0.0.1' }] });
  const domain = await post('/domains', { fqdn: 'fuzz.example.test', serverId: up, upstreamId: upstream.id, accessListId: accessList.id, ssl: { mode: 'custom', certificateId: cert.id } });
  const domainDown = await post('/domains', { fqdn: 'down.example.test', serverId: down, upstreamId: upstream.id });
  const domainRefusing = await post('/domains', { fqdn: 'refusing.example.test', serverId: refusing, upstreamId: upstream.id });
  const rule = await post('/alert-rules', { kind: 'cpu', threshold: 90, durationSeconds: 60, severity: 'warning', enabled: true, serverId: up });
  const silence = await post('/silences', { serverId: up, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'fuzz' });
  const streamPort = await freePort();
  const stream = await post('/streams', { serverId: up, protocol: 'tcp', listenPort: streamPort, upstreamId: upstream.id });
  const task = await post(`/servers/${up}/test`, {});
  const spareToken = await post('/tokens', { name: 'spare' });

  // An open alert about the up server, as the engine would write it.
  const { db, t } = getDb();
  const alertId = newId();
  const now = new Date();
  await db.insert(t.alerts).values({
    id: alertId, kind: 'server_down', severity: 'critical', key: `server_down:${up}`, subjectType: 'server', subjectId: up, subjectName: 'fuzz-up',
    serverId: up, state: 'firing', pendingSince: now, startedAt: now,
  });
  await db.update(t.users).set({ active: false }).where(eq(t.users.id, deactivated.id));

  const spareUpstream = async (n: number) => post('/upstreams', { name: `fuzz-spare-${n}`, targets: [{ host: '127.0.0.1', port: targetPort }] });
  const spare: Record<string, string[]> = { servers: [], upstreams: [], domains: [], templates: [], 'alert-rules': [], silences: [], users: [], tokens: [], certificates: [], 'access-lists': [], streams: [] };
  for (let n = 0; n < 3; n++) {
    const s = await spareServer(n);
    spare.servers.push(s.id);
    const u = await spareUpstream(n);
    spare.upstreams.push(u.id);
    spare.domains.push((await post('/domains', { fqdn: `spare-${n}.example.test`, serverId: s.id, upstreamId: u.id })).id);
    spare['alert-rules'].push((await post('/alert-rules', { kind: 'memory', threshold: 80, durationSeconds: 60, severity: 'info', enabled: true, serverId: s.id })).id);
    spare.silences.push((await post('/silences', { serverId: s.id, endsAt: new Date(Date.now() + 3_600_000).toISOString() })).id);
    spare.users.push((await mk('user', `spare${n}`)).id);
    const c = makeChain([`spare-${n}.example.test`], { notAfter: daysFromNow(60) });
    spare.certificates.push((await post('/certificates', { certificatePem: c.leaf.certPem, privateKeyPem: c.leaf.keyPem, chainPem: c.intermediate.certPem })).id);
    spare.templates.push((await post('/templates', { name: `fuzz-spare-${n}`, kind: 'http', body: templateBody })).id);
    // Not attached to anything, so a delete can succeed.
    spare['access-lists'].push((await post('/access-lists', { name: `fuzz-spare-${n}`, users: [], rules: [{ action: 'deny', source: 'all' }] })).id);
    spare.streams.push((await post('/streams', { serverId: s.id, protocol: 'tcp', listenPort: await freePort(), upstreamId: u.id })).id);
  }
  spare.tokens.push(spareToken.id);
  // Bare ones as well, so a delete can succeed (the others are still in use: 409).
  spare.servers.push((await spareServer(3)).id);
  spare.upstreams.push((await spareUpstream(3)).id);

  return {
    admin, shared, unshared, deactivated, sshd,
    servers: { up, down, refusing, hostKey, auth },
    ids: {
      users: [shared.id], tokens: [spareToken.id], servers: [up, down, refusing, hostKey, auth], upstreams: [upstream.id], domains: [domain.id, domainDown.id, domainRefusing.id],
      templates: [template.id, 'builtin-http'], certificates: [cert.id], 'alert-rules': [rule.id], alerts: [alertId], silences: [silence.id], tasks: [task.taskId],
      'access-lists': [accessList.id], streams: [stream.id],
    },
    spare,
    templateBody,
    stop: async () => {
      await sshd.stop();
    },
  };
}
