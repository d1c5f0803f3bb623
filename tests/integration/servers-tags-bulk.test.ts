import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { startSshd, type SshdInstance } from '../support/sshd';
import { freePort } from '../support/ports';
import { requireBinary } from '../support/process';
import { getSshPool } from '@/lib/ssh/pool';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { taskHandlers } from '@/lib/registry';

const enabled = requireBinary('sshd', 'ssh-keygen', 'sudo', 'useradd');

/** Tags on servers and domains, `?tag=` filters, and `POST /bulk` against a real sshd. */
describe.skipIf(!enabled)('tags and bulk actions', () => {
  let sshd: SshdInstance;
  let closedPort: number;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    registerTaskHandlers(taskHandlers);
    sshd = await startSshd({ users: [{ name: 'root' }] });
    closedPort = await freePort();
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await sshd?.stop();
  });

  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      tdb = await openTestDb(dialect);
      s = await seedUsers();
    });
    afterAll(async () => {
      await getSshPool().closeAll();
      await tdb?.close();
    });

    const root = () => sshd.user('root');
    async function addServer(name: string, tags: unknown, reachable = true) {
      const r = await api('POST', '/api/v1/servers', {
        token: s.adminToken,
        body: { name, host: sshd.host, sshPort: reachable ? sshd.port : closedPort, sshUser: root().username, authMethod: 'key', privateKey: root().privateKey, tags },
      });
      expect(r.status, r.text).toBe(201);
      ids[name] = r.body.id;
      return r.body;
    }
    const names = (items: { name?: string; fqdn?: string }[]) => items.map((i) => i.name ?? i.fqdn).sort();
    const listServers = async (query: string, token = s.adminToken) => api('GET', `/api/v1/servers${query}`, { token });

    it('validates tags (422 with the field message) and stores them normalised', async () => {
      const srv = await addServer('web-eu', ['Web', 'eu', 'web', ' EU ']);
      expect(srv.tags).toEqual(['eu', 'web']);
      for (const bad of [['-web'], ['web_1'], ['a'.repeat(33)], ['ünï'], 'web', [3]]) {
        const r = await api('POST', '/api/v1/servers', { token: s.adminToken, body: { name: `bad-${Math.random()}`, host: '10.0.0.1', authMethod: 'password', password: 'x', tags: bad } });
        expect(r.status, JSON.stringify(bad)).toBe(422);
        expect(r.body.error.fields.tags?.[0], JSON.stringify([bad, r.body])).toBeTruthy();
      }
      const patched = await api('PATCH', `/api/v1/servers/${srv.id}`, { token: s.adminToken, body: { tags: ['web', 'EU', 'prod'] } });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body.tags).toEqual(['eu', 'prod', 'web']);
      const badPatch = await api('PATCH', `/api/v1/servers/${srv.id}`, { token: s.adminToken, body: { tags: ['no spaces'] } });
      expect(badPatch.status).toBe(422);
      expect(badPatch.body.error.fields.tags[0]).toMatch(/lower-case letters, digits and "-"/);
      expect((await api('GET', `/api/v1/servers/${srv.id}`, { token: s.adminToken })).body.tags).toEqual(['eu', 'prod', 'web']);
    });

    it('filters servers by several tags (all must match), for a user only among shared ones', async () => {
      await addServer('web-us', ['web', 'us']);
      await addServer('db-eu', ['db', 'eu']);
      await addServer('broken', ['web', 'eu', 'down'], false);
      expect(names((await listServers('?tag=web')).body.items)).toEqual(['broken', 'web-eu', 'web-us']);
      expect(names((await listServers('?tag=web&tag=eu')).body.items)).toEqual(['broken', 'web-eu']);
      expect(names((await listServers('?tag=WEB&tag=eu&tag=prod')).body.items)).toEqual(['web-eu']);
      expect((await listServers('?tag=nothing')).body.items).toEqual([]);
      expect((await listServers('?tag=bad_tag')).status).toBe(422);
      await api('PATCH', `/api/v1/servers/${ids['web-us']}`, { token: s.adminToken, body: { sharedWith: [s.user.id] } });
      expect(names((await listServers('?tag=web', s.userToken)).body.items)).toEqual(['web-us']);
      expect((await listServers('?tag=web')).status).toBe(200);
      expect((await api('GET', '/api/v1/servers?tag=web')).status).toBe(401);
    });

    it('domains carry tags too: validated, normalised, filtered; a tag-only change keeps the deploy status', async () => {
      const up = await api('POST', '/api/v1/upstreams', { token: s.adminToken, body: { name: `pool-${dialect}`, targets: [{ host: '10.0.0.9', port: 8080 }] } });
      expect(up.status, up.text).toBe(201);
      const mk = async (fqdn: string, tags: unknown) =>
        api('POST', '/api/v1/domains', { token: s.adminToken, body: { fqdn, serverId: ids['web-us'], upstreamId: up.body.id, tags } });
      const a = await mk('a.example.test', ['Shop', 'eu']);
      expect(a.status, a.text).toBe(201);
      expect(a.body.tags).toEqual(['eu', 'shop']);
      expect((await mk('b.example.test', ['shop'])).status).toBe(201);
      expect((await mk('c.example.test', [])).status).toBe(201);
      const bad = await mk('d.example.test', ['Shop!']);
      expect(bad.status).toBe(422);
      expect(bad.body.error.fields.tags[0]).toMatch(/not a tag/);
      const q = async (query: string, token = s.adminToken) => names((await api('GET', `/api/v1/domains${query}`, { token })).body.items);
      expect(await q('?tag=shop')).toEqual(['a.example.test', 'b.example.test']);
      expect(await q('?tag=shop&tag=eu')).toEqual(['a.example.test']);
      expect(await q('?tag=shop', s.userToken)).toEqual(['a.example.test', 'b.example.test']);
      const patched = await api('PATCH', `/api/v1/domains/${a.body.id}`, { token: s.adminToken, body: { tags: ['eu'] } });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body.tags).toEqual(['eu']);
      expect(await q('?tag=shop')).toEqual(['b.example.test']);
      // Everything else of the domain survived the tag-only PATCH.
      expect(patched.body).toMatchObject({ fqdn: 'a.example.test', upstreamId: up.body.id, status: 'pending' });
    });

    it('bulk: admin only (401 signed out, 403 for a user), bad input is a 422 naming the field', async () => {
      const body = { action: 'test', servers: { ids: [ids['web-eu']] } };
      expect((await api('POST', '/api/v1/bulk', { body })).status).toBe(401);
      expect((await api('POST', '/api/v1/bulk', { token: s.userToken, body })).status).toBe(403);
      const bad = async (b: unknown) => (await api('POST', '/api/v1/bulk', { token: s.adminToken, body: b })).body.error;
      expect((await bad({ action: 'silence', servers: { ids: [ids['web-eu']] } })).fields.durationMinutes).toBeTruthy();
      expect((await bad({ action: 'share', servers: { tag: 'web' } })).fields.userId).toBeTruthy();
      expect((await bad({ action: 'share', servers: { tag: 'web' }, userId: 'nobody' })).fields.userId[0]).toMatch(/No user/);
      expect((await bad({ action: 'test', servers: { ids: ['missing-id'] } })).fields['servers.ids'][0]).toMatch(/missing-id/);
      expect((await bad({ action: 'test', servers: { tag: 'nothing' } })).fields['servers.tag'][0]).toMatch(/No server carries/);
      expect((await bad({ action: 'reboot', servers: { tag: 'web' } })).fields.action).toBeTruthy();
      expect((await bad({ action: 'test', servers: { ids: [] } })).code).toBe('validation_failed');
    });

    async function runBulk(body: unknown) {
      const r = await api('POST', '/api/v1/bulk', { token: s.adminToken, body });
      expect(r.status, r.text).toBe(202);
      const task = await waitForTask(r.body.taskId);
      const got = await api('GET', `/api/v1/tasks/${task.id}`, { token: s.adminToken });
      const logs = await api('GET', `/api/v1/tasks/${task.id}/logs?limit=1000`, { token: s.adminToken });
      return { task: got.body, lines: logs.body.lines.map((l: { text: string }) => l.text) as string[], text: logs.text };
    }

    it('bulk test by ids: one task, progress over the items, an outcome per item incl. a failing server', async () => {
      const { task, lines, text } = await runBulk({ action: 'test', servers: { ids: [ids['web-eu'], ids.broken, ids['db-eu']] } });
      expect(task).toMatchObject({ kind: 'bulk.run', status: 'failed', progress: 100 });
      expect(task.error).toBe('1 of 3 servers failed: broken.');
      expect(lines[0]).toBe('Bulk test on 3 servers.');
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^\[1\/3\] ok web-eu: connection test passed/), expect.stringMatching(/^\[2\/3\] failed broken: .+/), expect.stringMatching(/^\[3\/3\] ok db-eu: connection test passed/)]));
      expect(lines).toContain('Done: 2 succeeded, 1 failed, 0 skipped.');
      // Each item ran the real connection test (its ✓ lines, prefixed with the server's name).
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}web-eu: ✓ Runs commands as root$/)]));
      expect(text).not.toContain('PRIVATE KEY');
      const srv = (await api('GET', `/api/v1/servers/${ids['db-eu']}`, { token: s.adminToken })).body;
      expect(srv.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
      const audit = await api('GET', '/api/v1/audit?limit=50', { token: s.adminToken });
      expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'server.bulk', details: expect.objectContaining({ action: 'test', taskId: task.id }) })]));
      // A user does not see the bulk task (it spans servers not shared with them).
      expect((await api('GET', `/api/v1/tasks/${task.id}`, { token: s.userToken })).status).toBe(404);
    });

    it('bulk deploy by tag: the failing server is named, the task fails after trying all', async () => {
      const { task, lines } = await runBulk({ action: 'deploy', servers: { tag: 'down' } });
      expect(task.status).toBe('failed');
      expect(lines).toEqual(expect.arrayContaining(['Bulk deploy on 1 server tagged down.', expect.stringMatching(/^\[1\/1\] failed broken: .+/)]));
    });

    it('bulk silence and share by tag: each item uses the existing command', async () => {
      const silence = await runBulk({ action: 'silence', servers: { tag: 'eu' }, durationMinutes: 90, reason: 'maintenance' });
      expect(silence.task.status, silence.task.error ?? '').toBe('succeeded');
      expect(silence.lines.filter((l) => /^\[\d\/3\] ok .*: silenced until /.test(l))).toHaveLength(3);
      const silences = (await api('GET', '/api/v1/silences', { token: s.adminToken })).body.items as { serverId: string; reason: string; endsAt: string }[];
      for (const n of ['web-eu', 'db-eu', 'broken']) {
        const mine = silences.find((x) => x.serverId === ids[n]);
        expect(mine, n).toMatchObject({ reason: 'maintenance' });
        expect(Date.parse(mine!.endsAt) - Date.now()).toBeGreaterThan(80 * 60_000);
      }
      expect(names((await listServers('?tag=eu', s.userToken)).body.items)).toEqual([]);
      const share = await runBulk({ action: 'share', servers: { tag: 'web' }, userId: s.user.id });
      expect(share.task.status, share.task.error ?? '').toBe('succeeded');
      // web-us was already shared with the user: skipped, not duplicated.
      expect(share.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^\[\d\/3\] skipped web-us: already shared with this user$/), 'Done: 2 succeeded, 0 failed, 1 skipped.']));
      expect(names((await listServers('?tag=web', s.userToken)).body.items)).toEqual(['broken', 'web-eu', 'web-us']);
      const audit = await api('GET', '/api/v1/audit?limit=100', { token: s.adminToken });
      const actions = (audit.body.items as { action: string }[]).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['silence.create', 'server.update', 'server.bulk']));
    });
  });
});
