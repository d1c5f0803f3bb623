/**
 * CONTRACT.md: `GET /servers/{id}/config` and `GET /domains/{id}/config` list each file as
 * `{path, name, content, sha256}`, `path` absolute on the server and `name` relative to the
 * managed directory. After a deploy to a real sshd + nginx, every listed file is the file on
 * the server, byte for byte (a private key only by its hash: its content is never shown).
 */
import { createHash } from 'node:crypto';
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
import { withServer } from '@/lib/servers/connection';
import { cmd } from '@/lib/ssh/quote';
import { getSshPool } from '@/lib/ssh/pool';
import { makeChain } from './certs-openssl';
import { startDeployTarget, taskLog, type DeployTarget } from './proxy-harness';

interface ListedFile {
  path: string;
  name: string;
  content: string;
  sha256: string;
}

const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!requireBinary('nginx', 'sshd', 'ssh-keygen', 'openssl'))('config files as listed and as deployed', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let target: DeployTarget;
    let up: HttpUpstream;
    const domains: string[] = [];

    const post = async (route: string, body: Record<string, unknown>) => {
      const r = await api('POST', route, { token: s.adminToken, body });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    };

    beforeAll(async () => {
      process.env.GATEHOUSE_TASK_RUNNER = 'off';
      tdb = await openTestDb(dialect);
      s = await seedUsers();
      registerTaskHandlers(proxyTaskHandlers);
      target = await startDeployTarget(s.adminToken, `files-${dialect}`);
      up = await startHttpUpstream({ name: 'files' });
      // Addresses only: a host name would be resolved differently by the preview and the deploy.
      const pool = await post('/api/v1/upstreams', { name: 'pool-files', targets: [{ host: '127.0.0.1', port: up.port }] });
      const chain = makeChain(['files-tls.gatehouse.test']);
      const certificateId = await post('/api/v1/certificates', { certificatePem: chain.leaf.certPem, privateKeyPem: chain.leaf.keyPem, chainPem: chain.intermediate.certPem });
      const base = { serverId: target.serverId, upstreamId: pool };
      domains.push(await post('/api/v1/domains', { ...base, fqdn: 'files-plain.gatehouse.test' }));
      domains.push(await post('/api/v1/domains', { ...base, fqdn: 'files-ws.gatehouse.test', aliases: ['www.files-ws.gatehouse.test'], websocket: true, clientMaxBodySize: '10m' }));
      domains.push(await post('/api/v1/domains', { ...base, fqdn: 'files-tls.gatehouse.test', ssl: { mode: 'custom', certificateId, forceHttps: true } }));
      const task = await target.deploy();
      expect(task.status, `${task.error}\n${await taskLog(s.adminToken, task.id)}`).toBe('succeeded');
    });
    afterAll(async () => {
      await up?.stop();
      await getSshPool().closeAll();
      await target?.stop();
      await tdb?.close();
    });

    /** Every listed file against the real one at its `path`. */
    function expectOnServer(files: ListedFile[]) {
      for (const f of files) {
        expect(f.path).toBe(path.posix.join(target.managedDir, f.name));
        expect(path.posix.isAbsolute(f.path) && !f.name.startsWith('/')).toBe(true);
        const bytes = fs.readFileSync(f.path);
        expect(f.sha256, f.name).toBe(hex(bytes));
        if (f.name.endsWith('.key')) {
          expect(f.content).not.toContain('PRIVATE KEY');
          expect(f.content).toContain(f.sha256);
          expect(fs.statSync(f.path).mode & 0o777).toBe(0o600);
        } else {
          expect(Buffer.from(f.content, 'utf8').equals(bytes), f.name).toBe(true);
          expect(hex(Buffer.from(f.content, 'utf8'))).toBe(f.sha256);
        }
      }
    }

    it('GET /servers/{id}/config: every file is the deployed file at its path, and nothing is pending', async () => {
      const r = await api('GET', `/api/v1/servers/${target.serverId}/config`, { token: s.adminToken });
      expect(r.status, r.text).toBe(200);
      const files = r.body.files as ListedFile[];
      expect(r.body.managedDir).toBe(target.managedDir);
      expect(files.map((f) => f.name)).toEqual(expect.arrayContaining([
        'domains/files-plain.gatehouse.test.conf', 'domains/files-tls.gatehouse.test.conf', 'domains/files-ws.gatehouse.test.conf', 'upstreams.conf',
      ]));
      expect(files.filter((f) => f.name.startsWith('certs/'))).toHaveLength(2);
      expectOnServer(files);
      expect(r.body.changes).toEqual([]);

      // The paths are what the server itself reads: its own sha256sum agrees.
      const out = await withServer(target.serverId, (conn) => conn.execPrivileged(cmd`sha256sum -- ${files.map((f) => f.path)}`));
      expect(out.code, out.stderr).toBe(0);
      const remote = new Map(out.stdout.trim().split('\n').map((l) => [l.slice(66), l.slice(0, 64)] as const));
      expect(files.map((f) => remote.get(f.path))).toEqual(files.map((f) => f.sha256));
    });

    it('GET /domains/{id}/config: the files and their deployed copies match the server too', async () => {
      for (const id of domains) {
        const r = await api('GET', `/api/v1/domains/${id}/config`, { token: s.adminToken });
        expect(r.status, r.text).toBe(200);
        expectOnServer(r.body.files);
        expectOnServer(r.body.deployed);
        const byName = (l: ListedFile[]) => [...l].sort((a, b) => a.name.localeCompare(b.name));
        expect(byName(r.body.deployed)).toEqual(byName(r.body.files));
        expect(r.body.changes).toEqual([]);
      }
    });

    it('the OpenAPI document describes the file shape', async () => {
      const doc = (await api('GET', '/api/v1/openapi.json', { token: s.adminToken })).body;
      for (const route of ['/servers/{id}/config', '/domains/{id}/config']) {
        const schema = doc.paths[route].get.responses['200'].content['application/json'].schema;
        expect(schema.properties.files.items.required.sort()).toEqual(['content', 'name', 'path', 'sha256']);
        expect(schema.properties.files.items.properties.path.description).toMatch(/absolute/i);
      }
    });
  });
});
