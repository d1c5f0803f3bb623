import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary } from '../support/process';
import { waitFor } from '../support/wait';
import { config } from '@/lib/config';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { seedDefaultRules } from '@/lib/alerts/rules';
import { withServer } from '@/lib/servers/connection';
import { serverTaskHandlers } from '@/lib/servers/tasks';
import type { SshConnection } from '@/lib/ssh/client';
import { HostKeyMismatchError } from '@/lib/ssh/errors';
import { getSshPool } from '@/lib/ssh/pool';
import { registerTaskHandlers, waitForTask } from '@/lib/tasks/runner';

const enabled = requireBinary('sshd', 'ssh-keygen');

/**
 * sshd restarted with a new host key keeps the sessions it already has (SIGHUP re-execs the
 * listener only), so a pooled connection goes on working with the old key. The connection test
 * must not vouch for that key, and no pooled connection may outlive SSH_POOL_MAX_AGE_SECONDS.
 */
describe.skipIf(!enabled)('a host key rotated under a pooled session', () => {
  let sshd: SshdInstance;
  beforeAll(async () => {
    process.env.GATEHOUSE_TASK_RUNNER = 'off';
    registerTaskHandlers(serverTaskHandlers);
    sshd = await startSshd({ users: [{ name: 'root' }] });
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await sshd?.stop();
  });

  /** A fresh database whose environment adds `env`, an admin, and a root-by-key server on the sshd. */
  function suite(dialect: (typeof dialects)[number], env: Record<string, string> = {}) {
    const ctx = {} as { tdb: TestDb; adminToken: string; addServer: (name: string) => Promise<string> };
    beforeAll(async () => {
      ctx.tdb = await openTestDb(dialect, env);
      ctx.adminToken = (await seedUsers()).adminToken;
      await seedDefaultRules();
      ctx.addServer = async (name) => {
        const body = { name, host: sshd.host, sshPort: sshd.port, authMethod: 'key', privateKey: sshd.user('root').privateKey, monitoringEnabled: false };
        const r = await api('POST', '/api/v1/servers', { token: ctx.adminToken, body });
        expect(r.status, r.text).toBe(201);
        return r.body.id as string;
      };
    });
    afterAll(async () => {
      await getSshPool().closeAll();
      await ctx.tdb?.close();
    });
    return ctx;
  }
  const server = async (token: string, id: string) => (await api('GET', `/api/v1/servers/${id}`, { token })).body;
  const firing = async (token: string) =>
    (await api('GET', '/api/v1/alerts?state=firing', { token })).body.items.map((a: { kind: string; subject: { id: string } }) => [a.kind, a.subject.id]);

  describe.each(dialects)('on %s', (dialect) => {
    describe('with the default max age', () => {
      const ctx = suite(dialect);

      it('Test connection handshakes anew: refused on the new key, offered key recorded, alert raised, pooled connection dropped', async () => {
        expect(config().SSH_POOL_MAX_AGE_SECONDS).toBe(600);
        const id = await ctx.addServer(`rotate-test-${dialect}`);
        const pinned = sshd.hostKeyFingerprint;
        const pooled = await withServer(id, async (conn) => conn);
        const rotated = await sshd.rotateHostKey();
        expect(rotated).not.toBe(pinned);

        // The old session lives on: without a fresh handshake nothing would notice the new key.
        const pool = getSshPool();
        const before = pool.stats();
        expect((await withServer(id, (conn) => conn.exec('echo still'))).stdout).toBe('still\n');
        expect(pool.stats().handshakes).toBe(before.handshakes);

        const r = await api('POST', `/api/v1/servers/${id}/test`, { token: ctx.adminToken });
        expect(r.status).toBe(202);
        const task = await waitForTask(r.body.taskId);
        expect(task.status).toBe('failed');
        expect(task.error).toContain(`expected ${pinned}, got ${rotated}`);
        expect(pool.stats().failedHandshakes).toBe(before.failedHandshakes + 1);

        expect(await server(ctx.adminToken, id)).toMatchObject({ hostKeyFingerprint: pinned, offeredHostKeyFingerprint: rotated });
        await evaluateAlerts();
        expect(await firing(ctx.adminToken)).toContainEqual(['host_key_changed', id]);
        expect(pool.ageOf(id)).toBeNull();
        expect(pooled.closed).toBe(true);
        // Later uses handshake again (nothing is pooled) and are refused the same way.
        await expect(withServer(id, (conn) => conn.exec('true'))).rejects.toBeInstanceOf(HostKeyMismatchError);
      });
    });

    describe('with SSH_POOL_MAX_AGE_SECONDS=1', () => {
      const ctx = suite(dialect, { SSH_POOL_MAX_AGE_SECONDS: '1' });

      it('a pooled command after the max age re-handshakes and is refused on the new key', async () => {
        expect(config().SSH_POOL_MAX_AGE_SECONDS).toBe(1);
        const id = await ctx.addServer(`rotate-age-${dialect}`);
        const pinned = sshd.hostKeyFingerprint;
        let pooled: SshConnection | undefined;
        await withServer(id, async (conn) => void (pooled = conn));
        const rotated = await sshd.rotateHostKey();
        const pool = getSshPool();
        // Waits for the connection's age, not for a guess at how long that takes.
        await waitFor(() => (pool.ageOf(id) ?? 0) >= 1000, { timeoutMs: 10_000, description: 'pooled connection older than the max age' });
        const before = pool.stats();

        const err = await withServer(id, (conn) => conn.exec('true')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HostKeyMismatchError);
        expect(err).toMatchObject({ expected: pinned, actual: rotated });
        expect(pool.stats()).toMatchObject({ handshakes: before.handshakes, failedHandshakes: before.failedHandshakes + 1 });
        expect(pooled!.closed).toBe(true);
        expect(pool.ageOf(id)).toBeNull();
        expect(await server(ctx.adminToken, id)).toMatchObject({ hostKeyFingerprint: pinned, offeredHostKeyFingerprint: rotated });
        await evaluateAlerts();
        expect(await firing(ctx.adminToken)).toContainEqual(['host_key_changed', id]);
      });
    });
  });
});
