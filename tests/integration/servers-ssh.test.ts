import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary } from '../support/process';
import { getDb } from '@/lib/db';
import { getSshPool } from '@/lib/ssh/pool';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';
import { serverTaskHandlers } from '@/lib/servers/tasks';
import { withServer } from '@/lib/servers/connection';

const enabled = requireBinary('sshd', 'ssh-keygen', 'sudo', 'useradd');
const PW = 'pw-login-Secret-123';

/** Connection tests through the real task, API and pool against a real sshd on loopback. */
describe.skipIf(!enabled)('servers over SSH', () => {
  let sshd: SshdInstance;

  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    registerTaskHandlers(serverTaskHandlers);
    sshd = await startSshd({
      users: [
        { name: 'root' },
        { name: 'pwuser', password: PW, sudo: 'nopasswd', generateKey: false },
        { name: 'nosudo', sudo: 'none' },
        { name: 'asksudo', password: 'sudo-needs-this-1', sudo: 'password' },
      ],
    });
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await sshd?.stop();
  });

  describe.each(dialects)('on %s', (dialect) => {
    let tdb: TestDb;
    let s: Awaited<ReturnType<typeof seedUsers>>;
    let n = 0;

    beforeAll(async () => {
      tdb = await openTestDb(dialect);
      s = await seedUsers();
    });
    afterAll(async () => {
      await getSshPool().closeAll();
      await tdb?.close();
    });

    async function addServer(label: string, over: Record<string, unknown> = {}) {
      const u = sshd.user(label);
      const auth = u.password ? { authMethod: 'password', password: u.password } : { authMethod: 'key', privateKey: u.privateKey };
      const r = await api('POST', '/api/v1/servers', {
        token: s.adminToken,
        body: { name: `${label}-${dialect}-${++n}`, host: sshd.host, sshPort: sshd.port, sshUser: u.username, ...auth, ...over },
      });
      expect(r.status, r.text).toBe(201);
      return r.body.id as string;
    }
    async function runTest(id: string) {
      const r = await api('POST', `/api/v1/servers/${id}/test`, { token: s.adminToken });
      expect(r.status).toBe(202);
      const task = await waitForTask(r.body.taskId);
      const logs = await api('GET', `/api/v1/tasks/${task.id}/logs`, { token: s.adminToken });
      return { task, lines: logs.body.lines.map((l: { text: string }) => l.text) as string[], text: logs.text };
    }
    const server = async (id: string) => (await api('GET', `/api/v1/servers/${id}`, { token: s.adminToken })).body;

    it('password sign-in: the test pins the host key, reads the OS and reports each check', async () => {
      const id = await addServer('pwuser');
      const { task, lines, text } = await runTest(id);
      expect(task.status, task.error ?? '').toBe('succeeded');
      expect(lines[0]).toMatch(/^Connecting to gh_\w+@127\.0\.0\.1:\d+ over SSH/);
      expect(lines).toContain(`✓ Host key ${sshd.hostKeyFingerprint} (ssh-ed25519) pinned: first connection, trusted on first use`);
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^✓ Signed in as gh_\w+ \(uid \d+\)$/), '✓ sudo -n works without a password']));
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^✓ OS: Debian GNU\/Linux 12 .*\(debian family\)$/)]));
      expect(text).not.toContain(PW);
      const srv = await server(id);
      expect(srv).toMatchObject({ hostKeyFingerprint: sshd.hostKeyFingerprint, osFamily: 'debian', lastError: null });
      expect(srv.os).toMatch(/^Debian GNU\/Linux 12/);
      expect(['missing', 'installed', 'running']).toContain(srv.nginx.status);
      expect(srv.lastSeenAt).not.toBeNull();
      const audit = await api('GET', '/api/v1/audit?limit=20', { token: s.adminToken });
      expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'server.host_key_pinned', target: expect.objectContaining({ type: 'server', id }) })]));
    });

    it('key sign-in as root; a second test handshakes anew, and other work reuses its connection', async () => {
      const id = await addServer('root');
      const first = await runTest(id);
      expect(first.task.status, first.task.error ?? '').toBe('succeeded');
      expect(first.lines).toContain('✓ Runs commands as root');
      const before = getSshPool().stats().handshakes;
      const second = await runTest(id);
      expect(second.task.status).toBe('succeeded');
      expect(second.lines).toContain(`✓ Host key matches the pinned ${sshd.hostKeyFingerprint}`);
      expect(getSshPool().stats().handshakes).toBe(before + 1);
      await withServer(id, (conn) => conn.exec('true'));
      expect(getSshPool().stats().handshakes).toBe(before + 1);
    });

    it('a non-root user without sudo, or whose sudo wants a password, fails with the reason', async () => {
      const none = await runTest(await addServer('nosudo'));
      expect(none.task.status).toBe('failed');
      expect(none.task.error).toMatch(/cannot act as root.*not root and may not use sudo/);
      const ask = await runTest(await addServer('asksudo'));
      expect(ask.task.status).toBe('failed');
      expect(ask.task.error).toMatch(/needs a password for sudo.*NOPASSWD/);
      expect(ask.text).not.toContain('sudo-needs-this-1');
      expect(ask.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^✗ This SSH user needs a password for sudo/)]));
    });

    it('wrong credentials and a closed port fail with a clear message and no secret', async () => {
      const wrong = await runTest(await addServer('pwuser', { password: 'not-the-password' }));
      expect(wrong.task.status).toBe('failed');
      expect(wrong.task.error).toMatch(/authentication failed/);
      expect(wrong.text).not.toContain('not-the-password');
      const closed = await runTest(await addServer('root', { sshPort: 1 }));
      expect(closed.task.status).toBe('failed');
      expect(closed.task.error).toMatch(/refused the connection/);
    });

    it('a changed host key is refused before sign-in; an admin re-trusts it and it works again', async () => {
      const id = await addServer('root');
      expect((await runTest(id)).task.status).toBe('succeeded');
      const pinned = sshd.hostKeyFingerprint;
      await getSshPool().closeAll();
      const accepted = () => fs.readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey/g)?.length ?? 0;
      const rotated = await sshd.rotateHostKey();
      try {
        const signIns = accepted();
        const refused = await runTest(id);
        expect(refused.task.status).toBe('failed');
        expect(refused.task.error).toContain(`expected ${pinned}, got ${rotated}`);
        expect(refused.task.error).toMatch(/Nothing was run/);
        expect(refused.lines.some((l) => l.startsWith('✓ Signed in'))).toBe(false);
        expect(accepted()).toBe(signIns); // the key exchange stopped before authentication
        const srv = await server(id);
        expect(srv).toMatchObject({ hostKeyFingerprint: pinned, offeredHostKeyFingerprint: rotated });
        expect(srv.lastError).toMatch(/host key changed/);

        // Install actions are refused the same way: nothing runs.
        const install = await api('POST', `/api/v1/servers/${id}/install-nginx`, { token: s.adminToken });
        expect((await waitForTask(install.body.taskId)).error).toMatch(/host key changed/);

        const trust = await api('POST', `/api/v1/servers/${id}/trust-host-key`, { token: s.adminToken });
        expect(trust.status).toBe(200);
        expect(trust.body).toMatchObject({ hostKeyFingerprint: rotated, offeredHostKeyFingerprint: null });
        const again = await runTest(id);
        expect(again.task.status, again.task.error ?? '').toBe('succeeded');
        expect(again.lines).toContain(`✓ Host key matches the pinned ${rotated}`);
        const { db, t } = getDb();
        const audits = await db.select().from(t.auditEvents).where(eq(t.auditEvents.action, 'server.host_key_trusted'));
        expect(audits.some((a) => a.targetId === id && a.details?.fingerprint === rotated)).toBe(true);
      } finally {
        // Later tests (and the other dialect's block) expect the harness's current key.
        await getSshPool().closeAll();
      }
    });
  });
});
