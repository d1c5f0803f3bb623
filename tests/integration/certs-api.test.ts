/**
 * Issue 5 through the real route handlers on both dialects: custom uploads (and every way they
 * are refused), what users may see, deleting, and the checks an ACME request makes before any
 * task runs. Certificates are real ones made with openssl.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { generateKeyPair } from '../support/sshd';
import { getDb } from '@/lib/db';
import { certificatesExpiringWithin } from '@/lib/certs/renewal';
import { daysFromNow, makeChain, signCertificate } from './certs-openssl';

type Seed = Awaited<ReturnType<typeof seedUsers>>;

describe.each(dialects)('certificates API on %s', (dialect) => {
  let tdb: TestDb;
  let s: Seed;
  let shared: string;
  let hidden: string;
  let upstreamId: string;
  const chain = makeChain(['shop.example.test', '*.shop.example.test']);
  const stranger = signCertificate({ subject: 'elsewhere.example.test', names: ['elsewhere.example.test'], issuer: chain.intermediate });
  const good = { certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: chain.intermediate.certPem };

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    tdb = await openTestDb(dialect);
    s = await seedUsers();
    const { privateKey } = await generateKeyPair();
    const server = async (name: string, sharedWith: string[]) => {
      const r = await api('POST', '/api/v1/servers', {
        token: s.adminToken,
        body: { name, host: '127.0.0.1', sshPort: 2222, sshUser: 'root', authMethod: 'key', privateKey, monitoringEnabled: false, sharedWith },
      });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };
    shared = await server('shared', [s.user.id]);
    hidden = await server('hidden', []);
    const up = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: 'shop', targets: [{ host: '127.0.0.1', port: 9000 }] } });
    upstreamId = up.body.id;
  });
  afterAll(async () => {
    await tdb?.close();
  });

  const domain = async (fqdn: string, serverId: string, aliases: string[] = []) => {
    const r = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, aliases, serverId, upstreamId } });
    expect(r.status, r.text).toBe(201);
    return r.body.id as string;
  };
  const upload = (body: Record<string, unknown>, token = s.adminToken) => api('POST', '/api/v1/certificates', { token, body });

  it('guards every route: signed out 401, users 403 for changes', async () => {
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/api/v1/certificates', undefined],
      ['POST', '/api/v1/certificates', good],
      ['GET', '/api/v1/certificates/x', undefined],
      ['DELETE', '/api/v1/certificates/x', undefined],
      ['POST', '/api/v1/certificates/x/renew', undefined],
    ];
    for (const [method, path, body] of routes) expect((await api(method, path, { body })).status, `${method} ${path}`).toBe(401);
    for (const [method, path, body] of routes.filter(([m]) => m !== 'GET')) expect((await api(method, path, { token: s.userToken, body })).status, `${method} ${path}`).toBe(403);
    expect((await api('GET', '/api/v1/certificates/x', { token: s.userToken })).status).toBe(404);
  });

  it('stores a custom certificate with its key sealed, never answering the key', async () => {
    const r = await upload(good);
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ source: 'custom', status: 'valid', names: ['shop.example.test', '*.shop.example.test'], issuer: 'Gatehouse Test Intermediate', domains: [] });
    expect(r.body.daysLeft).toBeGreaterThan(80);
    expect(r.body.chainPem).toContain('BEGIN CERTIFICATE');
    expect(r.text).not.toMatch(/PRIVATE KEY|privateKey/);
    const keyBody = chain.leaf.keyPem.split('\n')[1];
    const { db, t } = getDb();
    const [row] = await db.select().from(t.certificates).where(eq(t.certificates.id, r.body.id));
    expect(row.privateKeyEnc).toMatch(/^v1\./);
    if (tdb.file) {
      // The database and its WAL hold the public certificate (a positive control), never the key.
      const bytes = Buffer.concat([tdb.file, `${tdb.file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
      expect(bytes.includes(chain.leaf.certPem.split('\n')[1])).toBe(true);
      expect(bytes.includes(keyBody)).toBe(false);
    }
    const audit = await api('GET', '/api/v1/audit', { token: s.adminToken });
    const entry = audit.body.items.find((a: { action: string }) => a.action === 'certificate.upload');
    expect(entry.target.id).toBe(r.body.id);
    expect(JSON.stringify(entry)).not.toContain(keyBody);
    const list = await api('GET', '/api/v1/certificates', { token: s.adminToken });
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(r.body.id);
    expect(list.text).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses bad uploads with 422 and a message per field', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const r = await upload(body);
      expect(r.status, r.text).toBe(422);
      expect(r.body.error.code).toBe('validation_failed');
      return r.body.error.fields as Record<string, string[]>;
    };
    expect(await bad({ certificatePem: 'garbage', privateKeyPem: 'more garbage' })).toEqual({
      certificatePem: ['This is not a PEM certificate: it should start with -----BEGIN CERTIFICATE-----.'],
      privateKeyPem: ['This is not a PEM private key: it should start with -----BEGIN PRIVATE KEY-----.'],
    });
    expect(await bad({})).toMatchObject({ certificatePem: ['Paste the certificate (PEM).'], privateKeyPem: ['Paste the private key (PEM).'] });
    expect((await bad({ ...good, privateKeyPem: stranger.keyPem })).privateKeyPem).toEqual(['This key does not belong to the certificate: they are not a pair.']);
    const expired = signCertificate({ subject: 'shop.example.test', names: ['shop.example.test'], issuer: chain.intermediate, notBefore: daysFromNow(-120), notAfter: daysFromNow(-30) });
    expect((await bad({ certificatePem: expired.certPem, privateKeyPem: expired.keyPem })).certificatePem[0]).toMatch(/^The certificate expired on \d{4}-\d\d-\d\d\.$/);
    expect((await bad({ ...good, chainPem: chain.root.certPem + chain.intermediate.certPem })).chainPem[0]).toMatch(/wrong order/);
    expect((await bad({ ...good, extra: 1 })).extra).toEqual(['Unknown field.']);
    expect((await bad({ ...good, certificatePem: 'x'.repeat(70_000) })).certificatePem[0]).toMatch(/64 KiB/);
    // Names must cover the domain it is uploaded for: fqdn and aliases, wildcards for one label.
    const other = await domain('other.example.test', hidden);
    expect((await bad({ ...good, domainId: other })).certificatePem).toEqual(['The certificate does not cover other.example.test; it is for shop.example.test, *.shop.example.test.']);
    const deep = await domain('shop.example.test', hidden, ['api.shop.example.test', 'a.b.shop.example.test']);
    expect((await bad({ ...good, domainId: deep })).certificatePem[0]).toMatch(/does not cover a\.b\.shop\.example\.test;/);
    expect((await bad({ ...good, domainId: 'no-such-domain' })).domainId).toEqual(['No such domain.']);
    expect((await api('POST', '/api/v1/certificates', { token: s.adminToken, rawBody: '{not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    // The same text sent as text/plain (a bare fetch, or a cross-site form) is not taken as JSON at all.
    expect((await api('POST', '/api/v1/certificates', { token: s.adminToken, rawBody: '{}', headers: { 'content-type': 'text/plain' } })).body.error.code).toBe('unsupported_media_type');
  });

  it('attaches an upload to a domain it covers and queues its deploy; in use it cannot be deleted', async () => {
    const id = await domain('www.shop.example.test', shared);
    const r = await upload({ ...good, domainId: id });
    expect(r.status, r.text).toBe(201);
    expect(r.body.domains).toEqual([{ id, fqdn: 'www.shop.example.test' }]);
    expect(r.body.deployTaskId).toEqual(expect.any(String));
    const task = await api('GET', `/api/v1/tasks/${r.body.deployTaskId}`, { token: s.adminToken });
    expect(task.body).toMatchObject({ kind: 'proxy.deploy', status: 'queued', serverId: shared });
    const d = await api('GET', `/api/v1/domains/${id}`, { token: s.adminToken });
    expect(d.body.ssl).toMatchObject({ mode: 'custom', certificateId: r.body.id });

    // The user shares that server: they see this certificate, read-only, and only it.
    const mine = await api('GET', '/api/v1/certificates', { token: s.userToken });
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([r.body.id]);
    expect((await api('GET', `/api/v1/certificates/${r.body.id}`, { token: s.userToken })).status).toBe(200);

    const del = await api('DELETE', `/api/v1/certificates/${r.body.id}`, { token: s.adminToken });
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({ code: 'certificate_in_use' });
    expect(del.body.error.message).toContain('www.shop.example.test');
    expect((await api('POST', `/api/v1/certificates/${r.body.id}/renew`, { token: s.adminToken })).body.error.code).toBe('certificate_not_renewable');

    const soon = await certificatesExpiringWithin(365);
    expect(soon.find((c) => c.id === r.body.id)).toMatchObject({ source: 'custom', domains: [{ id, fqdn: 'www.shop.example.test', serverId: shared }] });
    expect(await certificatesExpiringWithin(30)).toEqual([]);

    const spare = await upload(good);
    expect((await api('DELETE', `/api/v1/certificates/${spare.body.id}`, { token: s.adminToken })).status).toBe(204);
    expect((await api('GET', `/api/v1/certificates/${spare.body.id}`, { token: s.adminToken })).status).toBe(404);
  });

  it('checks an ACME request before queueing it: the domain, wildcard names, one issuance at a time', async () => {
    const acme = (body: Record<string, unknown>) => api('POST', '/api/v1/certificates', { token: s.adminToken, body: { source: 'acme', ...body } });
    expect((await acme({})).body.error.fields).toEqual({ domainId: ['Choose the domain to issue a certificate for.'] });
    expect((await acme({ domainId: 'nope' })).body.error.fields).toEqual({ domainId: ['No such domain.'] });
    expect((await acme({ domainId: 'x', certificatePem: good.certificatePem })).body.error.fields.certificatePem).toBeTruthy();
    const wild = await domain('wild.example.test', hidden, ['*.wild.example.test']);
    expect((await acme({ domainId: wild })).body.error.fields.domainId[0]).toMatch(/cannot prove wildcard names \(\*\.wild\.example\.test\)/);
    const plain = await domain('plain.example.test', hidden);
    const first = await acme({ domainId: plain });
    expect(first.status, first.text).toBe(202);
    expect(first.body).toEqual({ taskId: expect.any(String), certificateId: expect.any(String) });
    const again = await acme({ domainId: plain });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('certificate_task_running');
    const pending = await api('GET', `/api/v1/certificates/${first.body.certificateId}`, { token: s.adminToken });
    expect(pending.body).toMatchObject({ source: 'acme', status: 'pending', names: ['plain.example.test'], notAfter: null, daysLeft: null, domainId: plain });
    // Users never see tasks or certificates of servers not shared with them.
    expect((await api('GET', `/api/v1/certificates/${first.body.certificateId}`, { token: s.userToken })).status).toBe(404);
    expect((await api('GET', `/api/v1/tasks/${first.body.taskId}`, { token: s.userToken })).status).toBe(404);
  });
});
