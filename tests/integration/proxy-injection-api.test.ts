/**
 * The injection corpus (tests/unit/proxy-injection-corpus.ts, ≥100 attempts) in every string
 * field of upstreams, domains (with their redirect and locations), access lists and streams (and the log query), through the real API: each one is a 422 naming the field, no
 * record is written, and nothing of it reaches the rendered files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair } from '../support/sshd';
import { getDb } from '@/lib/db';
import { injectionCorpus } from '../unit/proxy-injection-corpus';

type Path = (string | number)[];

function setAt(obj: unknown, path: Path, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj) as Record<string | number, unknown>;
  let cur = copy;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
  return copy as Record<string, unknown>;
}

const upstreamFields: Path[] = [['name'], ['method'], ['healthCheck', 'path'], ['healthCheck', 'type'], ['targets', 0, 'host']];
const domainFields: Path[] = [
  ['fqdn'], ['aliases', 0], ['serverId'], ['upstreamId'], ['templateId'], ['ssl', 'mode'], ['ssl', 'certificateId'],
  ['clientMaxBodySize'], ['customDirectives'], ['nameservers', 'expected', 0], ['nameservers', 'pattern'],
  ['redirect', 'url'], ['redirect', 'code'], ['accessListId'],
  ['locations', 0, 'path'], ['locations', 0, 'upstreamId'], ['locations', 0, 'clientMaxBodySize'], ['locations', 0, 'accessListId'],
  ['locations', 1, 'path'], ['locations', 1, 'redirect', 'url'], ['locations', 1, 'redirect', 'code'],
  ['logs', 'access'], ['logs', 'error'],
];
const streamFields: Path[] = [['serverId'], ['protocol'], ['listenPort'], ['upstreamId']];
// Access lists: `name` never reaches a file (the realm is fixed) and passwords are only hashed,
// so neither is in the list; everything that is rendered is.
const accessListFields: Path[] = [['satisfy'], ['users', 0, 'username'], ['rules', 0, 'action'], ['rules', 0, 'source']];
/**
 * Corpus entries that are legitimate values of a field and harmless there: a plain URL is a
 * fine redirect target, and a user name made only of [A-Za-z0-9._@+-] cannot break an htpasswd
 * line (no ":", no line end). Everything else must be refused.
 */
const harmless: Record<string, (v: string) => boolean> = {
  'redirect.url': (v) => v === 'http://example.com',
  'locations.1.redirect.url': (v) => v === 'http://example.com',
  'users.0.username': (v) => /^[A-Za-z0-9._@+-]{1,64}$/.test(v),
};

describe.each(dialects)('the injection corpus through the API on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  let serverId: string;
  let upstreamId: string;
  let domainId: string;
  let accessListId: string;
  const baseAccessList = () => ({ name: 'inj-list', satisfy: 'any', users: [{ username: 'alice', password: 'pw' }], rules: [{ action: 'allow', source: '10.0.0.0/8' }] });
  let streamId: string;
  const baseStream = () => ({ serverId, protocol: 'tcp', listenPort: 7000, upstreamId });
  const baseUpstream = () => ({ name: 'inj-base', method: 'round_robin', healthCheck: { type: 'http', path: '/healthz' }, targets: [{ host: '127.0.0.1', port: 9000 }] });
  const baseDomain = () => ({
    fqdn: 'base.example.com', aliases: ['www.base.example.com'], serverId, upstreamId, templateId: null,
    ssl: { mode: 'none', certificateId: null }, clientMaxBodySize: '1m', customDirectives: 'gzip on;',
    nameservers: { expected: ['ns1.example.net'], pattern: '*.ns.example.net' }, logs: { access: true, error: true },
    redirect: { url: 'https://elsewhere.example.org/', code: 301, preservePath: true },
    accessListId,
    locations: [
      { path: '/api/', upstreamId, clientMaxBodySize: '2m', accessListId, websocket: true },
      { path: '/old/', redirect: { url: 'https://old.example.org/', code: 302 } },
    ],
  });

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    const { privateKey } = await generateKeyPair();
    const srv = await api('POST', '/api/v1/servers', { token: s.adminToken, body: { name: 'inj', host: '127.0.0.1', authMethod: 'key', privateKey, monitoringEnabled: false } });
    serverId = srv.body.id;
    const up = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { ...baseUpstream(), name: 'inj-pool' } });
    upstreamId = up.body.id;
    const al = await api('POST', '/api/v1/access-lists', { token: s.adminToken, body: baseAccessList() });
    expect(al.status, JSON.stringify(al.body)).toBe(201);
    accessListId = al.body.id;
    const d = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { ...baseDomain(), fqdn: 'kept.example.com', aliases: [] } });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    domainId = d.body.id;
    const st = await api('POST', '/api/v1/streams', { token: s.adminToken, body: { ...baseStream(), listenPort: 7001 } });
    expect(st.status, JSON.stringify(st.body)).toBe(201);
    streamId = st.body.id;
  });
  afterAll(async () => tdb?.close());

  const refused = async (method: string, path: string, body: unknown, field: string, attack: string) => {
    const r = await api(method, path, { token: s.adminToken, body });
    const fields = Object.keys(r.body?.error?.fields ?? {});
    if (r.status !== 422 || !fields.some((f) => f === field || f.startsWith(`${field}.`))) {
      return `${method} ${path} ${field}=${JSON.stringify(attack).slice(0, 60)} → ${r.status} ${fields.join(',')}`;
    }
    return null;
  };

  it('uses at least 100 attempts', () => expect(injectionCorpus.length).toBeGreaterThanOrEqual(100));

  it.each(upstreamFields.map((p) => [p.join('.'), p] as const))('refuses every attempt in upstream field %s (create and update)', async (name, path) => {
    const failures: string[] = [];
    for (const attack of injectionCorpus) {
      failures.push(...[await refused('POST', '/api/v1/upstreams', setAt(baseUpstream(), path, attack), name, attack)].filter((x): x is string => x !== null));
      const patch = setAt(baseUpstream(), path, attack);
      failures.push(...[await refused('PATCH', `/api/v1/upstreams/${upstreamId}`, { [String(path[0])]: patch[String(path[0])] }, name, attack)].filter((x): x is string => x !== null));
    }
    expect(failures).toEqual([]);
  });

  it.each(accessListFields.map((p) => [p.join('.'), p] as const))('refuses every attempt in access list field %s (create and update)', async (name, path) => {
    const failures: string[] = [];
    for (const attack of injectionCorpus.filter((v) => !harmless[name]?.(v))) {
      failures.push(...[await refused('POST', '/api/v1/access-lists', setAt(baseAccessList(), path, attack), name, attack)].filter((x): x is string => x !== null));
      const patch = setAt(baseAccessList(), path, attack);
      failures.push(...[await refused('PATCH', `/api/v1/access-lists/${accessListId}`, { [String(path[0])]: patch[String(path[0])] }, name, attack)].filter((x): x is string => x !== null));
    }
    expect(failures).toEqual([]);
  });

  it.each(domainFields.map((p) => [p.join('.'), p] as const))('refuses every attempt in domain field %s (create and update)', async (name, path) => {
    const failures: string[] = [];
    for (const attack of injectionCorpus.filter((v) => !harmless[name]?.(v))) {
      failures.push(...[await refused('POST', '/api/v1/domains', setAt(baseDomain(), path, attack), name, attack)].filter((x): x is string => x !== null));
      const patch = setAt(baseDomain(), path, attack);
      failures.push(...[await refused('PATCH', `/api/v1/domains/${domainId}`, { [String(path[0])]: patch[String(path[0])] }, name, attack)].filter((x): x is string => x !== null));
    }
    expect(failures).toEqual([]);
  });

  it.each(streamFields.map((p) => [p.join('.'), p] as const))('refuses every attempt in stream field %s (create and update)', async (name, path) => {
    const failures: string[] = [];
    for (const attack of injectionCorpus) {
      failures.push(...[await refused('POST', '/api/v1/streams', setAt(baseStream(), path, attack), name, attack)].filter((x): x is string => x !== null));
      failures.push(...[await refused('PATCH', `/api/v1/streams/${streamId}`, { [String(path[0])]: attack }, name, attack)].filter((x): x is string => x !== null));
    }
    expect(failures).toEqual([]);
  });

  it('refuses every attempt as the log kind or line count (before any SSH)', async () => {
    const failures: string[] = [];
    for (const attack of injectionCorpus) {
      for (const [param, field] of [['kind', 'kind'], ['lines', 'lines']] as const) {
        const r = await api('GET', `/api/v1/domains/${domainId}/logs?${param}=${encodeURIComponent(attack)}`, { token: s.adminToken });
        if (r.status !== 422 || !Object.keys(r.body?.error?.fields ?? {}).includes(field)) failures.push(`${param}=${JSON.stringify(attack).slice(0, 60)} → ${r.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('wrote no record, and no attempt reached a rendered file', async () => {
    const { db, t } = getDb();
    expect(Number((await db.select({ n: count() }).from(t.streams))[0].n)).toBe(1);
    expect(Number((await db.select({ n: count() }).from(t.domains))[0].n)).toBe(1);
    expect(Number((await db.select({ n: count() }).from(t.upstreams))[0].n)).toBe(1);
    expect(Number((await db.select({ n: count() }).from(t.accessLists))[0].n)).toBe(1);
    const cfg = await api('GET', `/api/v1/servers/${serverId}/config`, { token: s.adminToken });
    expect(cfg.status).toBe(200);
    const text = cfg.body.files.map((f: { content: string }) => f.content).join('\n');
    expect(text).not.toMatch(/\/etc\/passwd|evil|load_module|lua|\$http_authorization|\$cookie/);
    const kept = await api('GET', `/api/v1/domains/${domainId}`, { token: s.adminToken });
    expect(kept.body).toMatchObject({ fqdn: 'kept.example.com', customDirectives: 'gzip on;', clientMaxBodySize: '1m' });
  });
});
