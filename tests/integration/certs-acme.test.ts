/**
 * Issue 5, ACME end to end on both dialects, with real parts only: pebble (Let's Encrypt's test
 * CA) validates HTTP-01 by fetching the challenge from a real Nginx on loopback, resolving names
 * through a real knot DNS server; Gatehouse writes the challenge and deploys over a real sshd.
 * A TLS client checks which certificate Nginx serves before and after each renewal.
 */
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as acme from 'acme-client';
import { and, desc, eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { startSshd, type SshdInstance } from '../support/sshd';
import { startNginx, type NginxInstance } from '../support/nginx';
import { startPebble, type PebbleInstance } from '../support/pebble';
import { startDns, type DnsRecord, type DnsServer } from '../support/dns';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { getDb } from '@/lib/db';
import { getSshPool } from '@/lib/ssh/pool';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { taskHandlers } from '@/lib/registry';
import { runRenewalJob } from '@/lib/certs/renewal';

const enabled = requireBinary('pebble', 'openssl', 'knotd', 'nginx', 'sshd', 'ssh-keygen');
const URL_OR_IP = /[a-z]+:\/\/|\b\d{1,3}(\.\d{1,3}){3}\b/;

const names = (dialect: string) => ({
  app: `app-${dialect}.example.test`,
  www: `www.app-${dialect}.example.test`,
  api: `api.app-${dialect}.example.test`,
  flaky: `flaky-${dialect}.example.test`,
});
const records = (skip: string[] = []): DnsRecord[] =>
  dialects
    .flatMap((d) => Object.values(names(d)))
    .filter((n) => !skip.includes(n))
    .map((n) => ({ name: n.replace(/\.example\.test$/, ''), type: 'A' as const, value: '127.0.0.1' }));
const zone = (skip: string[] = []) => [{ name: 'example.test', ns: ['ns1.example.test'], records: records(skip) }];

/** The certificate Nginx presents for a name, verified against pebble's root. */
function served(port: number, servername: string, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (!socket.authorized || !cert) return reject(new Error(`TLS not authorized: ${socket.authorizationError}`));
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

describe.skipIf(!enabled)('certificates through ACME (pebble, knot, nginx, sshd)', () => {
  let dns: DnsServer;
  let sshd: SshdInstance;
  let upstream: HttpUpstream;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    registerTaskHandlers(taskHandlers);
    [dns, sshd, upstream] = await Promise.all([startDns({ zones: zone() }), startSshd({ users: [{ name: 'root' }] }), startHttpUpstream({ name: 'app' })]);
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await Promise.all([dns?.stop(), sshd?.stop(), upstream?.stop()]);
  });

  describe.each(dialects)('on %s', (dialect) => {
    const n = names(dialect);
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let nginx: NginxInstance;
    let pebble: PebbleInstance;
    let httpsPort: number;
    let serverId: string;
    let upstreamId: string;

    beforeAll(async () => {
      // No harness default server: its 127.0.0.1:port socket would block the domain's *:port on reload.
      nginx = await startNginx({ noDefaultServer: true });
      httpsPort = await freePort();
      // No reuse of earlier validations: every order is validated again through Nginx.
      pebble = await startPebble({ dnsServer: dns.server, httpPort: nginx.port, env: { PEBBLE_AUTHZREUSE: '0' } });
      acme.axios.defaults.httpsAgent = new https.Agent({ ca: pebble.caCertPem });
      // With a contact e-mail on one dialect and without on the other: the account is found
      // again on every issuance after the first, and both kinds of account update must work.
      tdb = await openTestDb(dialect, { ACME_DIRECTORY_URL: pebble.directoryUrl, ...(dialect === 'sqlite' && { ACME_EMAIL: 'ops@example.test' }) });
      s = await seedUsers();
      const root = sshd.user('root');
      const nginxLayout = { managedDir: path.join(nginx.prefix, 'gatehouse'), mainConfig: nginx.confFile, command: nginx.wrapper, pidFile: nginx.pidFile, httpPort: nginx.port, httpsPort };
      const srv = await api('POST', '/api/v1/servers', {
        token: s.adminToken,
        body: { name: `edge-${dialect}`, host: sshd.host, sshPort: sshd.port, sshUser: 'root', authMethod: 'key', privateKey: root.privateKey, monitoringEnabled: false, nginxLayout, sharedWith: [s.user.id] },
      });
      expect(srv.status, srv.text).toBe(201);
      serverId = srv.body.id;
      const install = await api('POST', `/api/v1/servers/${serverId}/install-nginx`, { token: s.adminToken });
      const installed = await waitForTask(install.body.taskId, 120_000);
      expect(installed.status, installed.error ?? '').toBe('succeeded');
      const up = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: `app-${dialect}`, targets: [{ host: '127.0.0.1', port: upstream.port }] } });
      expect(up.status, up.text).toBe(201);
      upstreamId = up.body.id;
    });
    afterAll(async () => {
      await getSshPool().closeAll();
      await tdb?.close();
      await pebble?.stop();
      await nginx?.stop();
    });

    async function addDomain(fqdn: string, aliases: string[] = []): Promise<string> {
      const r = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, aliases, serverId, upstreamId, logs: { access: false, error: true } } });
      expect(r.status, r.text).toBe(201);
      return r.body.id;
    }
    async function runTask(taskId: string) {
      const task = await waitForTask(taskId, 180_000);
      const logs = await api('GET', `/api/v1/tasks/${taskId}/logs`, { token: s.adminToken });
      return { task, log: (logs.body.lines as Array<{ text: string }>).map((l) => l.text).join('\n') };
    }
    async function issue(domainId: string) {
      const r = await api('POST', '/api/v1/certificates', { token: s.adminToken, body: { source: 'acme', domainId } });
      expect(r.status, r.text).toBe(202);
      return { certificateId: r.body.certificateId as string, ...(await runTask(r.body.taskId)) };
    }

    it('issues through HTTP-01 answered by the domain\'s own Nginx, stores the key sealed, and serves it at once', async () => {
      const domainId = await addDomain(n.app, [n.www]);
      const { certificateId, task, log } = await issue(domainId);
      expect(task.status, `${task.error}\n${log}`).toBe('succeeded');
      for (const step of ['Account:', 'Order:', 'Challenge:', 'Validation:', 'Finalize:', 'Download:', 'Deploy:']) expect(log).toContain(step);
      expect(log).not.toMatch(/BEGIN (EC |)PRIVATE KEY/);

      const cert = await api('GET', `/api/v1/certificates/${certificateId}`, { token: s.adminToken });
      expect(cert.body).toMatchObject({ source: 'acme', status: 'valid', names: [n.app, n.www], domainId, domains: [{ id: domainId, fqdn: n.app }], renewAttempts: 0 });
      expect(cert.text).not.toMatch(/PRIVATE KEY|privateKey/);
      expect(cert.body.issuer).toMatch(/Pebble Intermediate/);
      const domain = await api('GET', `/api/v1/domains/${domainId}`, { token: s.adminToken });
      expect(domain.body.ssl).toMatchObject({ mode: 'acme', certificateId });
      expect(domain.body.status).toBe('deployed');

      // Served over TLS by Nginx for both names, the chain verifying up to pebble's root.
      const first = await served(httpsPort, n.app, pebble.rootCaPem);
      expect(first.fingerprint256).toBe(cert.body.fingerprint);
      expect((await served(httpsPort, n.www, pebble.rootCaPem)).fingerprint256).toBe(cert.body.fingerprint);
      const { db, t } = getDb();
      const [row] = await db.select().from(t.certificates).where(eq(t.certificates.id, certificateId));
      expect(row.privateKeyEnc).toMatch(/^v1\./);
      // On the server the key is root's alone.
      expect(fs.statSync(path.join(nginx.prefix, 'gatehouse/certs', `${certificateId}.key`)).mode & 0o777).toBe(0o600);
      // pebble fetched the challenge through Nginx (the domain keeps no access log of its own, so
      // its requests go to the harness's http-level one), and the file is gone again.
      expect(fs.readFileSync(nginx.accessLog, 'utf8')).toMatch(/GET \/\.well-known\/acme-challenge\/\S+ HTTP\/1\.1" 200/);
      expect(fs.readdirSync(path.join(nginx.prefix, 'gatehouse/acme/.well-known/acme-challenge'))).toEqual([]);

      // A user sees it read-only (the server is shared with them); renewing is admin-only.
      expect((await api('GET', `/api/v1/certificates/${certificateId}`, { token: s.userToken })).status).toBe(200);
      expect((await api('POST', `/api/v1/certificates/${certificateId}/renew`, { token: s.userToken })).status).toBe(403);
      expect((await api('DELETE', `/api/v1/certificates/${certificateId}`, { token: s.adminToken })).body.error.code).toBe('certificate_in_use');

      // Renew on demand: a new certificate, served as soon as the task ends (no other reload).
      const renew = await api('POST', `/api/v1/certificates/${certificateId}/renew`, { token: s.adminToken });
      expect(renew.status, renew.text).toBe(202);
      const renewed = await runTask(renew.body.taskId);
      expect(renewed.task.status, `${renewed.task.error}\n${renewed.log}`).toBe('succeeded');
      const second = await served(httpsPort, n.app, pebble.rootCaPem);
      expect(second.fingerprint256).not.toBe(first.fingerprint256);
      const after = await api('GET', `/api/v1/certificates/${certificateId}`, { token: s.adminToken });
      expect(after.body.fingerprint).toBe(second.fingerprint256);
      expect(after.body.renewedAt).not.toBeNull();

      // The renewal job picks a certificate inside 30 days of expiry, renews, deploys, serves.
      await db.update(t.certificates).set({ notAfter: new Date(Date.now() + 10 * 86_400_000) }).where(eq(t.certificates.id, certificateId));
      const { queued } = await runRenewalJob();
      expect(queued).toEqual([certificateId]);
      const [jobTask] = await db.select().from(t.tasks).where(and(eq(t.tasks.kind, 'certificate.issue'), eq(t.tasks.domainId, domainId))).orderBy(desc(t.tasks.id)).limit(1);
      const byJob = await runTask(jobTask.id);
      expect(byJob.task.status, `${byJob.task.error}\n${byJob.log}`).toBe('succeeded');
      const third = await served(httpsPort, n.app, pebble.rootCaPem);
      expect(third.fingerprint256).not.toBe(second.fingerprint256);
      expect((await runRenewalJob()).queued).toEqual([]);

      // A new alias on the domain: accepted (its own ACME certificate), re-issued by the job at once.
      const patched = await api('PATCH', `/api/v1/domains/${domainId}`, { token: s.adminToken, body: { aliases: [n.www, n.api] } });
      expect(patched.status, patched.text).toBe(200);
      expect((await runRenewalJob()).queued).toEqual([certificateId]);
      const [aliasTask] = await db.select().from(t.tasks).where(and(eq(t.tasks.kind, 'certificate.issue'), eq(t.tasks.domainId, domainId))).orderBy(desc(t.tasks.id)).limit(1);
      const reissued = await runTask(aliasTask.id);
      expect(reissued.task.status, `${reissued.task.error}\n${reissued.log}`).toBe('succeeded');
      expect((await api('GET', `/api/v1/certificates/${certificateId}`, { token: s.adminToken })).body.names).toEqual([n.app, n.www, n.api]);
      expect((await served(httpsPort, n.api, pebble.rootCaPem)).checkHost(n.api)).toBe(n.api);
    });

    it('explains a failed validation in plain words, retries renewals with backoff and keeps serving the old certificate', async () => {
      const domainId = await addDomain(n.flaky);
      const { certificateId, task } = await issue(domainId);
      expect(task.status, task.error ?? '').toBe('succeeded');
      const before = await served(httpsPort, n.flaky, pebble.rootCaPem);

      await dns.setZones(zone([n.flaky]));
      try {
        const renew = await api('POST', `/api/v1/certificates/${certificateId}/renew`, { token: s.adminToken });
        const failed = await runTask(renew.body.taskId);
        expect(failed.task.status).toBe('failed');
        expect(failed.task.error).toMatch(new RegExp(`could not look up ${n.flaky.replace(/\./g, '\\.')} in DNS`));
        expect(failed.task.error).not.toMatch(URL_OR_IP);
        const cert = await api('GET', `/api/v1/certificates/${certificateId}`, { token: s.adminToken });
        expect(cert.body).toMatchObject({ status: 'valid', renewAttempts: 1, lastError: failed.task.error, fingerprint: before.fingerprint256 });
        const { db, t } = getDb();
        const events = await db.select().from(t.events).where(eq(t.events.type, 'certificate.renewal_failed'));
        expect(events.map((e) => e.data)).toContainEqual(expect.objectContaining({ certificateId, attempts: 1, fqdn: n.flaky }));
        expect(events.every((e) => e.serverId === serverId)).toBe(true);
        // Still the old certificate on the wire; the job waits out the backoff before retrying.
        expect((await served(httpsPort, n.flaky, pebble.rootCaPem)).fingerprint256).toBe(before.fingerprint256);
        await db.update(t.certificates).set({ notAfter: new Date(Date.now() + 5 * 86_400_000) }).where(eq(t.certificates.id, certificateId));
        expect((await runRenewalJob()).queued).not.toContain(certificateId);
        expect((await runRenewalJob(new Date(Date.now() + 61 * 60_000))).queued).toContain(certificateId);
      } finally {
        await dns.setZones(zone());
      }
      const { db, t } = getDb();
      const [retry] = await db.select().from(t.tasks).where(and(eq(t.tasks.kind, 'certificate.issue'), eq(t.tasks.domainId, domainId))).orderBy(desc(t.tasks.id)).limit(1);
      const retried = await runTask(retry.id);
      expect(retried.task.status, `${retried.task.error}\n${retried.log}`).toBe('succeeded');
      expect((await api('GET', `/api/v1/certificates/${certificateId}`, { token: s.adminToken })).body).toMatchObject({ renewAttempts: 0, lastError: null });
      expect((await served(httpsPort, n.flaky, pebble.rootCaPem)).fingerprint256).not.toBe(before.fingerprint256);
    });
  });
});
