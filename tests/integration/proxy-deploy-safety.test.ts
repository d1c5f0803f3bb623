/**
 * Deploys that must not break a running Nginx: a template Nginx rejects fails the task with
 * Nginx's own message while the previous files keep serving; a hand-edited file is reported as
 * drift (API and scheduled check) and overwritten by the next deploy; a deleted domain's file
 * leaves with the next deploy; a one-domain deploy touches only that domain.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { requireBinary } from '../support/process';
import { waitFor } from '../support/wait';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { getDb } from '@/lib/db';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { registerTaskHandlers } from '@/lib/tasks/runner';
import { runDriftChecks } from '@/lib/proxy/drift';
import { BUILTIN_HTTP_BODY } from '@/lib/proxy/templates/builtin';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

const hashTree = (dir: string) => {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
};

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen'))('proxy deploy safety', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let target: DeployTarget;
    let app: HttpUpstream;
    let pool: string;
    let steady: string;

    const domain = async (fqdn: string, extra: Record<string, unknown> = {}) => {
      const r = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, serverId: target.serverId, upstreamId: pool, ...extra } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const status = async (id: string) => (await api('GET', `/api/v1/domains/${id}`, { token: s.adminToken })).body;
    const deployOk = async (domainId?: string) => {
      const task = await target.deploy(domainId);
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
      return task;
    };

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      s = await seedUsers();
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(s.adminToken, `safety-${dialect}`);
      app = await startHttpUpstream({ name: 'app' });
      const r = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: 'pool-app', targets: [{ host: '127.0.0.1', port: app.port }] } });
      pool = r.body.id;
      steady = await domain('steady.gatehouse.test');
      await deployOk();
    });
    afterAll(async () => {
      await app?.stop();
      await target?.stop();
      await tdb?.close();
    });

    it('fails a deploy Nginx rejects with Nginx\'s message, and the previous config keeps serving', async () => {
      // Passes Gatehouse's checks (it renders and keeps the ACME location) but not `nginx -t`.
      const body = BUILTIN_HTTP_BODY.replace('    client_max_body_size', '    frobnicate on;\n    client_max_body_size');
      const tpl = await api('POST', '/api/v1/templates', { token: s.adminToken, body: { name: 'frob', kind: 'http', body } });
      expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
      const before = hashTree(target.managedDir);
      const steadyFile = target.file('domains/steady.gatehouse.test.conf');
      const fresh = await domain('fresh.gatehouse.test', { templateId: tpl.body.id });
      expect((await api('PATCH', `/api/v1/domains/${steady}`, { token: s.adminToken, body: { templateId: tpl.body.id } })).status).toBe(200);

      const task = await target.deploy();
      expect(task.status).toBe('failed');
      expect(task.error).toContain('unknown directive "frobnicate"');
      expect(task.error).toMatch(/previous files are back in place/);
      // Nothing half-done: the managed directory is byte for byte what it was, the new domain's
      // file is not left enabled, and the old config still serves.
      expect(hashTree(target.managedDir)).toEqual(before);
      expect(target.file('domains/fresh.gatehouse.test.conf')).toBeNull();
      expect(target.file('domains/steady.gatehouse.test.conf')).toBe(steadyFile);
      const r = await target.request('steady.gatehouse.test');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).upstream).toBe('app');
      for (const id of [fresh, steady]) {
        const d = await status(id);
        expect(d.status).toBe('failed');
        expect(d.lastError).toContain('unknown directive "frobnicate"');
      }
      const { db, t } = getDb();
      const events = await db.select().from(t.events).where(and(eq(t.events.type, 'domain.updated'), eq(t.events.serverId, target.serverId)));
      expect(events.some((e) => e.data.domainId === fresh && e.data.status === 'failed')).toBe(true);

      // Fixing the template and deploying again brings both up.
      await api('PATCH', `/api/v1/domains/${steady}`, { token: s.adminToken, body: { templateId: null } });
      await api('DELETE', `/api/v1/domains/${fresh}`, { token: s.adminToken });
      await deployOk();
      expect((await status(steady)).status).toBe('deployed');
    });

    it('reports a hand-edited file as drift, marks the domain, and the next deploy overwrites it', async () => {
      const rel = 'domains/steady.gatehouse.test.conf';
      fs.appendFileSync(path.join(target.managedDir, rel), '# edited by hand\n');
      const drift = await api('GET', `/api/v1/servers/${target.serverId}/drift`, { token: s.adminToken });
      expect(drift.status, JSON.stringify(drift.body)).toBe(200);
      expect(drift.body.drifted).toBe(true);
      expect(drift.body.state).toBe('drifted');
      expect(drift.body.drift).toHaveLength(1);
      expect(drift.body.drift[0]).toMatchObject({ path: rel, status: 'changed' });
      expect(drift.body.drift[0].patch).toContain('+# edited by hand');
      expect(drift.body.pending).toEqual([]);
      expect((await status(steady)).status).toBe('drifted');

      // The scheduled check finds the same by hash and leaves the status alone while it holds.
      await runDriftChecks();
      expect((await status(steady)).status).toBe('drifted');
      const task = await deployOk();
      expect(task.result?.uploaded).toEqual([rel]);
      expect(await taskLog(s.adminToken, task.id)).toContain(`${rel} was edited on the server by hand`);
      expect(target.file(rel)).not.toContain('edited by hand');
      expect((await status(steady)).status).toBe('deployed');
      await runDriftChecks();
      expect((await status(steady)).status).toBe('deployed');
    });

    it('marks drift from the scheduled job and publishes domain.updated', async () => {
      fs.appendFileSync(path.join(target.managedDir, 'upstreams.conf'), '# tweak\n');
      await runDriftChecks();
      expect((await status(steady)).status).toBe('drifted');
      const { db, t } = getDb();
      const events = await db.select().from(t.events).where(and(eq(t.events.type, 'domain.updated'), eq(t.events.serverId, target.serverId)));
      expect(events.some((e) => e.data.domainId === steady && e.data.status === 'drifted')).toBe(true);
      await deployOk();
      expect((await status(steady)).status).toBe('deployed');
    });

    it('removes a deleted domain\'s file at the next deploy', async () => {
      const id = await domain('doomed.gatehouse.test');
      await deployOk();
      expect(target.file('domains/doomed.gatehouse.test.conf')).toContain('server_name doomed.gatehouse.test;');
      expect((await target.request('doomed.gatehouse.test')).status).toBe(200);
      expect((await api('DELETE', `/api/v1/domains/${id}`, { token: s.adminToken })).status).toBe(204);
      expect(target.file('domains/doomed.gatehouse.test.conf')).not.toBeNull();
      const task = await deployOk();
      expect(task.result?.removed).toEqual(['domains/doomed.gatehouse.test.conf']);
      expect(target.file('domains/doomed.gatehouse.test.conf')).toBeNull();
      expect(Object.keys(hashTree(target.managedDir)).filter((f) => f.includes('doomed'))).toEqual([]);
      const cfg = await api('GET', `/api/v1/servers/${target.serverId}/config`, { token: s.adminToken });
      expect(cfg.body.changes).toEqual([]);
    });

    it('deploys one domain without touching the others', async () => {
      const a = await domain('one.gatehouse.test');
      const b = await domain('other.gatehouse.test');
      const task = await deployOk(a);
      expect(task.result?.uploaded).toEqual(['domains/one.gatehouse.test.conf']);
      expect(target.file('domains/other.gatehouse.test.conf')).toBeNull();
      expect((await status(a)).status).toBe('deployed');
      expect((await status(b)).status).toBe('pending');
      expect((await target.request('one.gatehouse.test')).status).toBe(200);
    });

    // Last: it stops this target's Nginx.
    it('fails loudly and puts the previous files back when Nginx is not running', async () => {
      await domain('late.gatehouse.test');
      const master = target.nginx.pid;
      process.kill(master, 'SIGQUIT');
      await waitFor(() => !fs.existsSync(`/proc/${master}`), { description: 'nginx master exit' });
      const before = hashTree(target.managedDir);
      const task = await target.deploy();
      expect(task.status).toBe('failed');
      expect(task.error).toMatch(/Nginx is not running/);
      expect(hashTree(target.managedDir)).toEqual(before);
    });
  });
});
