/**
 * The role matrix of CONTRACT.md ("Roles"), generated from the app's own GET /api/v1/openapi.json:
 * every operation × signed out / user nothing is shared with / user the server is shared with /
 * deactivated user / admin, checked against ONE table below. The table is keyed by
 * "METHOD /path"; an operation in the document without a row (or a row without an operation)
 * fails the test, so a new route cannot ship without saying who may call it.
 *
 * Cell values: a status the answer must have, or `ok` — past the access check: not 401, 403 or 404
 * and below 500 (a 409 or 422 of the minimal body sent still shows the caller got in). Lists the
 * row names a resource for are also checked for what they show: the resource on the shared server
 * is in the list for the admin and the shared user, and not for the user nothing is shared with.
 * Beside the table: the SSE stream (a user receives no event about a server not shared with them)
 * and cross-user token revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api, routeHandler } from '../support/api';
import { readSse } from '../support/sse';
import { buildWorld, callRaw, fillPath, loadDocument, type DocOperation, type World } from '../support/api-world';

type Who = 'anonymous' | 'deactivated' | 'unshared' | 'shared' | 'admin';
type Cell = number | 'ok';
type Row = Record<Who, Cell> & { /** The document's x-gatehouse-role when it is not derivable from the cells (operate). */ role?: string; /** A list: the resource of this kind on the shared server shows for admin and shared, not for unshared. */ shows?: string };

// The rules of CONTRACT.md "Roles", one shape per kind of route.
/** No auth (health). */
const PUBLIC: Row = { anonymous: 'ok', deactivated: 'ok', unshared: 'ok', shared: 'ok', admin: 'ok' };
/** Own account and tokens: anyone signed in; a deactivated owner's token stops working. */
const OWN: Row = { anonymous: 401, deactivated: 401, unshared: 'ok', shared: 'ok', admin: 'ok' };
/** Create, change, delete anything; deploy, install, test; settings; users; audit; templates: admin only, 403 for users. */
const ADMIN: Row = { anonymous: 401, deactivated: 401, unshared: 403, shared: 403, admin: 'ok' };
/** One thing on (or of) a server: visible when the server is shared; not shared is a 404, not a 403. */
const SHARED: Row = { anonymous: 401, deactivated: 401, unshared: 404, shared: 'ok', admin: 'ok' };
/**
 * Test, install, deploy, domains and silences: admins, and users with an `operate` share of that server
 * (CONTRACT "Identity"); the shared user here has a `view` share, so it is 403 like the unshared one.
 */
const OPERATE: Row = { ...ADMIN, role: 'operate' };
/** A list every signed-in user may read, filtered to what they may see. */
const LIST = (shows?: string): Row => ({ ...OWN, ...(shows && { shows }) });

/** THE table: every operation of the document, and who may call it. */
const MATRIX: Record<string, Row> = {
  'GET /health': PUBLIC,
  'GET /instances': ADMIN,
  'GET /me': OWN,
  'POST /me/password': OWN,
  'GET /me/2fa': OWN,
  'POST /me/2fa/enrol': OWN,
  'POST /me/2fa/confirm': OWN,
  'DELETE /me/2fa': OWN,
  'POST /users/{id}/2fa/reset': ADMIN,
  'GET /users': ADMIN,
  'POST /users': ADMIN,
  'GET /users/{id}': ADMIN,
  'PATCH /users/{id}': ADMIN,
  'DELETE /users/{id}': ADMIN,
  'GET /tokens': OWN,
  'POST /tokens': OWN,
  // The id is the admin's own token: another user cannot revoke it (404, as for any token not theirs).
  'DELETE /tokens/{id}': { anonymous: 401, deactivated: 401, unshared: 404, shared: 404, admin: 204 },
  'GET /audit': ADMIN,
  'GET /tasks': LIST('tasks'),
  'GET /tasks/{id}': SHARED,
  'GET /tasks/{id}/logs': SHARED,
  'GET /events': OWN,
  'GET /settings': ADMIN,
  'PATCH /settings': ADMIN,
  'POST /settings/telegram/test': ADMIN,
  'GET /fleet': LIST('servers'),
  'GET /servers/{id}/metrics': SHARED,
  'POST /domains/{id}/check-dns': OPERATE,
  'GET /domains/{id}/dns-checks': SHARED,
  'POST /upstreams/{id}/check': ADMIN,
  'GET /servers': LIST('servers'),
  'POST /servers': ADMIN,
  'GET /servers/{id}': SHARED,
  'PATCH /servers/{id}': ADMIN,
  'DELETE /servers/{id}': ADMIN,
  'POST /servers/{id}/test': OPERATE,
  'POST /servers/{id}/install-nginx': OPERATE,
  'POST /servers/{id}/install-glances': OPERATE,
  'POST /servers/{id}/trust-host-key': ADMIN,
  'POST /servers/{id}/deploy': OPERATE,
  'GET /servers/{id}/config': SHARED,
  'GET /servers/{id}/drift': SHARED,
  'GET /certificates': LIST('certificates'),
  'POST /certificates': ADMIN,
  'GET /certificates/{id}': SHARED,
  'DELETE /certificates/{id}': ADMIN,
  'POST /certificates/{id}/renew': ADMIN,
  'GET /upstreams': LIST('upstreams'),
  'POST /upstreams': ADMIN,
  'GET /upstreams/{id}': SHARED,
  'PATCH /upstreams/{id}': ADMIN,
  'DELETE /upstreams/{id}': ADMIN,
  'GET /domains': LIST('domains'),
  'POST /domains': OPERATE,
  'GET /domains/{id}': SHARED,
  'PATCH /domains/{id}': OPERATE,
  'DELETE /domains/{id}': OPERATE,
  'POST /domains/{id}/deploy': OPERATE,
  'GET /domains/{id}/config': SHARED,
  'GET /templates': ADMIN,
  'POST /templates': ADMIN,
  'POST /templates/preview': ADMIN,
  'GET /templates/{id}': ADMIN,
  'PATCH /templates/{id}': ADMIN,
  'DELETE /templates/{id}': ADMIN,
  'GET /alerts': LIST('alerts'),
  'GET /alerts/{id}': SHARED,
  'GET /alert-rules': LIST('alert-rules'),
  'POST /alert-rules': ADMIN,
  'GET /alert-rules/{id}': SHARED,
  'PATCH /alert-rules/{id}': ADMIN,
  'DELETE /alert-rules/{id}': ADMIN,
  'GET /silences': LIST('silences'),
  'GET /access-lists': LIST('access-lists'),
  'POST /access-lists': ADMIN,
  'GET /access-lists/{id}': SHARED,
  'PATCH /access-lists/{id}': ADMIN,
  'DELETE /access-lists/{id}': ADMIN,
  'GET /streams': LIST('streams'),
  'POST /streams': ADMIN,
  'GET /streams/{id}': SHARED,
  'PATCH /streams/{id}': ADMIN,
  'DELETE /streams/{id}': ADMIN,
  'POST /streams/{id}/deploy': ADMIN,
  'GET /domains/{id}/logs': SHARED,
  'GET /domains/{id}/logs/stream': SHARED,
  'POST /bulk': ADMIN,
  // Busiest servers per metric, not a list of items: no `shows` check fits.
  'GET /fleet/history': LIST(),
  'GET /fleet/uptime': LIST('servers'),
  'GET /servers/{id}/uptime': SHARED,
  'POST /silences': OPERATE,
  'DELETE /silences/{id}': OPERATE,
};

const WHO: Who[] = ['anonymous', 'deactivated', 'unshared', 'shared', 'admin'];
const resourceOf = (path: string) => /^\/([^/]+)\/\{id\}/.exec(path)?.[1] ?? '';

describe.each(dialects)('RBAC matrix on %s', (dialect) => {
  let tdb: TestDb;
  let world: World;
  let operations: DocOperation[];

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    world = await buildWorld();
    operations = (await loadDocument()).operations;
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
    await tdb?.close();
  });

  const tokenOf = (who: Who) => ({ anonymous: undefined, deactivated: world.deactivated.token, unshared: world.unshared.token, shared: world.shared.token, admin: world.admin.token })[who];

  /** The id a cell is about: the resource on the shared up server; changes and deletes get their own spare (shared as well). */
  function idFor(op: DocOperation): string {
    const kind = resourceOf(op.path);
    if (kind === 'tokens') return world.ids.tokens[0]!;
    const spare = world.spare[kind] ?? [];
    if (op.method === 'PATCH' && spare[0]) return spare[0];
    if (op.method === 'DELETE' && spare[1]) return spare[1];
    if (op.path.endsWith('/trust-host-key') && spare[2]) return spare[2];
    return world.ids[kind]?.[0] ?? 'none';
  }

  it('the table has exactly one row per operation of the document', () => {
    const documented = operations.map((o) => o.key).sort();
    const missing = documented.filter((k) => !(k in MATRIX));
    const stale = Object.keys(MATRIX).filter((k) => !documented.includes(k));
    expect({ missing, stale }, 'add a row to MATRIX for every new operation (and remove rows of gone ones)').toEqual({ missing: [], stale: [] });
    // The table says the same as the document's own role annotation.
    for (const op of operations) {
      const row = MATRIX[op.key];
      if (!row) continue;
      const role = row.role ?? (row.anonymous !== 401 ? 'public' : row.shared === 403 ? 'admin' : 'user');
      expect(role, op.key).toBe(op.role);
    }
  });

  it('every operation × every kind of caller answers as the table says', async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const op of operations) {
      const row = MATRIX[op.key];
      if (!row) continue;
      const path = fillPath(op.path, { id: encodeURIComponent(idFor(op)) });
      for (const who of WHO) {
        const res = await callRaw({ method: op.method, path, token: tokenOf(who), ...(op.method !== 'GET' && { headers: { 'content-type': 'application/json' }, body: '{}' }) });
        cells++;
        const want = row[who];
        const ok = want === 'ok' ? ![401, 403, 404].includes(res.status) && res.status < 500 : res.status === want;
        if (!ok) wrong.push(`${op.key} as ${who}: ${res.status} (want ${want}) ${res.text.slice(0, 160)}`);
        if (row.shows && res.status === 200 && who !== 'deactivated' && who !== 'anonymous') {
          const target = world.ids[row.shows]![0]!;
          const listed = (JSON.parse(res.text).items as Array<{ id?: string; serverId?: string }>).some((i) => (i.id ?? i.serverId) === target);
          if (listed !== (who !== 'unshared')) wrong.push(`${op.key} as ${who}: ${row.shows} ${target} ${listed ? 'listed' : 'missing'}`);
        }
      }
    }
    console.log(`[rbac] ${dialect}: ${cells} cells over ${operations.length} operations`);
    expect(wrong).toEqual([]);
  });

  it('a user cannot revoke another user\'s token; the owner can', async () => {
    const mine = await api('POST', '/api/v1/tokens', { token: world.shared.token, body: { name: 'cross-user' } });
    expect(mine.status).toBe(201);
    for (const other of [world.unshared.token, world.admin.token]) {
      const r = await api('DELETE', `/api/v1/tokens/${mine.body.id}`, { token: other });
      expect(r.status).toBe(404);
    }
    // Not even visible in their lists, and it still works.
    const listed = await api('GET', '/api/v1/tokens?limit=500', { token: world.unshared.token });
    expect(listed.body.items.map((t: { id: string }) => t.id)).not.toContain(mine.body.id);
    expect((await api('GET', '/api/v1/me', { token: mine.body.token })).status).toBe(200);
    expect((await api('DELETE', `/api/v1/tokens/${mine.body.id}`, { token: world.shared.token })).status).toBe(204);
    expect((await api('GET', '/api/v1/me', { token: mine.body.token })).status).toBe(401);
  });

  it('SSE: a user receives events about shared servers only; signed out and deactivated get 401', async () => {
    const open = async (token?: string) => {
      const route = await routeHandler('GET', '/api/v1/events');
      const abort = new AbortController();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const res = await route.handler!(new Request(route.url, { headers, signal: abort.signal }), { params: Promise.resolve({}) });
      return { res, abort };
    };
    expect((await open()).res.status).toBe(401);
    expect((await open(world.deactivated.token)).res.status).toBe(401);
    const shared = await open(world.shared.token);
    const unshared = await open(world.unshared.token);
    expect(shared.res.status).toBe(200);
    expect(unshared.res.status).toBe(200);
    // A server shared with the unshared user only: its task is the marker that ends their read.
    const mark = await api('POST', '/api/v1/servers', {
      token: world.admin.token,
      body: { name: 'rbac-marker', host: '127.0.0.1', authMethod: 'password', password: 'marker-pw-1', monitoringEnabled: false, sharedWith: [world.unshared.id] },
    });
    expect(mark.status).toBe(201);
    const onShared = await api('POST', `/api/v1/servers/${world.servers.up}/test`, { token: world.admin.token, body: {} });
    const onMarker = await api('POST', `/api/v1/servers/${mark.body.id}/test`, { token: world.admin.token, body: {} });
    const onSharedAgain = await api('POST', `/api/v1/servers/${world.servers.up}/test`, { token: world.admin.token, body: {} });
    expect([onShared.status, onMarker.status, onSharedAgain.status]).toEqual([202, 202, 202]);
    const taskIds = (frames: Array<{ data?: any }>) => frames.map((f) => f.data?.taskId).filter(Boolean);
    const seenByUnshared = await readSse(unshared.res, (f) => taskIds(f).includes(onMarker.body.taskId));
    const seenByShared = await readSse(shared.res, (f) => taskIds(f).includes(onSharedAgain.body.taskId));
    shared.abort.abort();
    unshared.abort.abort();
    expect(taskIds(seenByUnshared)).not.toContain(onShared.body.taskId);
    expect(JSON.stringify(seenByUnshared)).not.toContain(world.servers.up);
    expect(taskIds(seenByShared)).toContain(onShared.body.taskId);
    expect(taskIds(seenByShared)).not.toContain(onMarker.body.taskId);
  });
});
