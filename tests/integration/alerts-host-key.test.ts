import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects } from '../support/test-db';
import { startSshd, type SshdInstance } from '../support/sshd';
import { requireBinary } from '../support/process';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { getDb } from '@/lib/db';
import { getSshPool } from '@/lib/ssh/pool';
import { HostKeyMismatchError } from '@/lib/ssh/errors';
import { withServer } from '@/lib/servers/connection';
import { addServer, alertingSuite, alertRows, poll } from './alerts-fixtures';

/**
 * DESIGN.md: a changed SSH host key is refused "with a clear error and an alert until an admin
 * re-trusts it". The `host_key_changed` rule fires at once (critical) while a refused key is on
 * record, names the server by its Gatehouse name only (no address, no fingerprint), and resolves
 * once an admin has trusted a key.
 */
const TOKEN = '123456:ABC-hostkey-test-token-abcdefghijk';
const sshEnabled = requireBinary('sshd', 'ssh-keygen');

describe.each(dialects)('host key alerts on %s', (dialect) => {
  const suite = alertingSuite(dialect, { token: TOKEN, chatId: '4242' });
  const { clock } = suite;
  let sshd: SshdInstance | undefined;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  beforeAll(async () => {
    if (sshEnabled) sshd = await startSshd({ users: [{ name: 'root' }] });
  });
  afterAll(async () => {
    await getSshPool().closeAll();
    await sshd?.stop();
  });
  beforeEach(async () => {
    s = await seedUsers();
  });

  const polls = async (n: number) => {
    for (let i = 0; i < n; i++) await poll(clock);
  };
  const texts = () => suite.tg.messages.map((m) => m.text!);
  const offer = async (id: string, fingerprint: string | null) => {
    const { db, t } = getDb();
    await db.update(t.servers).set({ offeredHostKeyFingerprint: fingerprint }).where(eq(t.servers.id, id));
  };

  it('fires at once while a refused key is on record, also for an unmonitored server, and resolves when cleared', async () => {
    const web = await addServer('web01', { host: '203.0.113.9' });
    const batch = await addServer('batch01');
    const { db, t } = getDb();
    await db.update(t.servers).set({ monitoringEnabled: false }).where(eq(t.servers.id, batch));
    await polls(1);
    expect(await alertRows()).toHaveLength(0);

    await offer(web, 'SHA256:bm90LXRoZS1waW5uZWQta2V5LWF0LWFsbC0xMjM0NTY3OA');
    await offer(batch, 'SHA256:YW5vdGhlci1yZWZ1c2VkLWtleS1mb3ItdGhlLWJhdGNoLWJveA');
    await polls(1);
    const firing = await alertRows();
    expect(firing.map((a) => [a.kind, a.state, a.severity, a.subjectId]).sort()).toEqual(
      [['host_key_changed', 'firing', 'critical', web], ['host_key_changed', 'firing', 'critical', batch]].sort(),
    );
    expect(texts()).toHaveLength(2);
    const msg = texts().find((m) => m.includes('web01'))!;
    expect(msg).toContain('🔴 <b>Critical</b> · SSH host key changed');
    expect(msg).toContain('Server: <b>web01</b>');
    expect(msg).toContain('until an admin checks the new key and trusts it');
    expect(msg).not.toMatch(/203\.0\.113\.9|SHA256|bm90LXRo/);

    // Still refused: nothing more is said. Cleared: one recovery message after the clear window.
    await polls(3);
    expect(texts()).toHaveLength(2);
    await offer(web, null);
    await polls(6);
    expect(texts()).toHaveLength(3);
    expect(texts()[2]).toContain('✅ <b>Resolved</b> · New SSH host key trusted');
    expect(texts()[2]).toContain('web01');
    expect((await alertRows()).map((a) => [a.subjectId, a.state]).sort()).toEqual([[web, 'resolved'], [batch, 'firing']].sort());
  });

  it('a disabled rule keeps quiet', async () => {
    const web = await addServer('web01');
    const rules = await api('GET', '/api/v1/alert-rules', { token: s.adminToken });
    const rule = rules.body.items.find((r: { kind: string; serverId: string | null }) => r.kind === 'host_key_changed' && !r.serverId);
    expect(rule).toMatchObject({ severity: 'critical', durationSeconds: 0, threshold: null, enabled: true });
    expect((await api('PATCH', `/api/v1/alert-rules/${rule.id}`, { token: s.adminToken, body: { enabled: false } })).status).toBe(200);
    await offer(web, 'SHA256:c29tZS1vdGhlci1rZXktdGhhdC13YXMtcmVmdXNlZC0xMjM');
    await polls(2);
    expect(await alertRows()).toHaveLength(0);
    expect(texts()).toHaveLength(0);
  });

  it.skipIf(!sshEnabled)('a real rotated host key opens the alert; only an admin trusting it closes it', async () => {
    const created = await api('POST', '/api/v1/servers', {
      token: s.adminToken,
      body: { name: 'edge-1', host: sshd!.host, sshPort: sshd!.port, authMethod: 'key', privateKey: sshd!.user('root').privateKey, monitoringEnabled: false },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await withServer(id, (conn) => conn.exec('true')); // pins the current key
    await getSshPool().closeAll();
    const rotated = await sshd!.rotateHostKey();
    await expect(withServer(id, (conn) => conn.exec('true'))).rejects.toBeInstanceOf(HostKeyMismatchError);
    await polls(1);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain('SSH host key changed');
    expect(texts()[0]).toContain('Server: <b>edge-1</b>');
    expect(texts()[0]).not.toContain(rotated);
    expect(texts()[0]).not.toContain(sshd!.host);
    // Users of the server see the incident; others do not.
    const alerts = async (token: string) => (await api('GET', '/api/v1/alerts?state=firing', { token })).body.items.map((a: { kind: string }) => a.kind);
    expect(await alerts(s.adminToken)).toEqual(['host_key_changed']);
    expect(await alerts(s.userToken)).toEqual([]);
    expect((await api('PATCH', `/api/v1/servers/${id}`, { token: s.adminToken, body: { sharedWith: [s.user.id] } })).status).toBe(200);
    expect(await alerts(s.userToken)).toEqual(['host_key_changed']);

    // Only an admin may trust the key; until then the incident stays open.
    expect((await api('POST', `/api/v1/servers/${id}/trust-host-key`, {})).status).toBe(401);
    expect((await api('POST', `/api/v1/servers/${id}/trust-host-key`, { token: s.userToken })).status).toBe(403);
    await polls(6);
    expect(texts()).toHaveLength(1);
    expect((await api('POST', `/api/v1/servers/${id}/trust-host-key`, { token: s.adminToken })).status).toBe(200);
    await polls(6);
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toContain('New SSH host key trusted');
    await withServer(id, (conn) => conn.exec('true'));
    await getSshPool().closeAll();
  });
});
