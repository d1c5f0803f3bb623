/**
 * A deploy through a non-root login with passwordless sudo: files are staged as the user and
 * installed as root (root-owned, key 0600), nginx is tested and reloaded through sudo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { requireBinary } from '../support/process';
import { startHttpUpstream, type HttpUpstream } from '../support/upstream';
import { proxyTaskHandlers } from '@/lib/proxy/tasks';
import { registerTaskHandlers } from '@/lib/tasks/runner';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen', 'sudo'))('proxy deploy as a sudo user', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let target: DeployTarget;
    let up: HttpUpstream;

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      s = await seedUsers();
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(s.adminToken, `sudo-${dialect}`, { sudo: true });
      up = await startHttpUpstream({ name: 'sudo-app' });
    });
    afterAll(async () => {
      await up?.stop();
      await target?.stop();
      await tdb?.close();
    });

    it('deploys, serves and rolls back through sudo', async () => {
      const pool = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: 'pool-sudo', targets: [{ host: '127.0.0.1', port: up.port }] } });
      const d = await api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn: 'sudo.gatehouse.test', serverId: target.serverId, upstreamId: pool.body.id } });
      const task = await target.deploy();
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
      const file = path.join(target.managedDir, 'domains/sudo.gatehouse.test.conf');
      expect(fs.statSync(file).uid).toBe(0);
      const r = await target.request('sudo.gatehouse.test');
      expect(JSON.parse(r.body).upstream).toBe('sudo-app');
      // No staging directory of this login is left behind in /tmp.
      const uid = target.sshd.user('deploy').uid;
      const left = fs.readdirSync('/tmp').filter((n) => n.startsWith('gatehouse-deploy.') && fs.statSync(`/tmp/${n}`, { throwIfNoEntry: false })?.uid === uid);
      expect(left).toEqual([]);

      // A rejected config through sudo rolls back the same way.
      const bad = await api('PATCH', `/api/v1/domains/${d.body.id}`, { token: s.adminToken, body: { customDirectives: 'limit_req zone=nosuchzone;' } });
      expect(bad.status).toBe(200);
      const failed = await target.deploy();
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/zero size shared memory zone "nosuchzone"|nosuchzone/);
      expect(fs.readFileSync(file, 'utf8')).not.toContain('nosuchzone');
      expect((await target.request('sudo.gatehouse.test')).status).toBe(200);
    });
  });
});
