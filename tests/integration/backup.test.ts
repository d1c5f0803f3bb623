import { afterAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { seedUsers } from '../support/fixtures';
import { getDb, newId } from '@/lib/db';
import { seal, open } from '@/lib/crypto/secret-box';
import { cliActor } from '@/lib/access/actor';
import { exportConfiguration, importConfiguration } from '@/lib/backup';
import { config } from '@/lib/config';
import { runStartupHooks } from '@/lib/startup';
import { confirmTwoFactorEnrolment, startTwoFactorEnrolment, checkSecondFactor } from '@/lib/users/two-factor';
import { totpNow } from '@/lib/users/totp';
import type { Actor } from '@/lib/access/actor';

/** Seeds one of each configuration record straight through the schema. */
async function seedConfiguration(userId: string) {
  const { db, t } = getDb();
  const now = new Date();
  const serverId = newId();
  await db.insert(t.servers).values({ id: serverId, name: 'web-1', host: '192.0.2.10', authMethod: 'password', passwordEnc: seal('ssh-secret-pw'), createdAt: now, updatedAt: now, tags: ['eu', 'web'], nginxPaths: { managedDir: '/etc/nginx/gatehouse', mainConfig: '/etc/nginx/nginx.conf', command: 'nginx', httpPort: 80, httpsPort: 443 } });
  await db.insert(t.serverShares).values({ serverId, userId });
  const upstreamId = newId();
  await db.insert(t.upstreams).values({ id: upstreamId, name: 'app', method: 'least_conn', keepalive: 16, healthCheck: { type: 'http', path: '/health' }, createdAt: now, updatedAt: now });
  await db.insert(t.upstreamTargets).values({ id: newId(), upstreamId, position: 0, host: '10.0.0.5', port: 8080, weight: 3, backup: false });
  const accessListId = newId();
  await db.insert(t.accessLists).values({ id: accessListId, name: 'staff', satisfy: 'any', users: [{ username: 'alice', hash: '$6$salt$hash' }], rules: [{ action: 'allow', source: '10.0.0.0/8' }], createdAt: now, updatedAt: now });
  await db.insert(t.domains).values({
    id: newId(), fqdn: 'shop.example.com', aliases: ['www.shop.example.com'], serverId, upstreamId, expectedNameservers: ['ns1.example.net'], tags: ['shop'], accessLog: false, createdAt: now, updatedAt: now,
    accessListId, locations: [{ path: '/api/', upstreamId, redirect: null, websocket: true, clientMaxBodySize: '2m', accessListId }],
  });
  await db.insert(t.domains).values({
    id: newId(), fqdn: 'old.example.com', aliases: [], serverId, upstreamId: null, redirect: { url: 'https://shop.example.com', code: 308, preservePath: true }, expectedNameservers: [], createdAt: now, updatedAt: now,
  });
  await db.insert(t.streams).values({ id: newId(), serverId, protocol: 'udp', listenPort: 5353, upstreamId, createdAt: now, updatedAt: now });
  await db.insert(t.alertRules).values({ id: newId(), kind: 'cpu', threshold: 85, durationSeconds: 300, createdAt: now, updatedAt: now });
}

const strip = (doc: Awaited<ReturnType<typeof exportConfiguration>>) => ({ ...doc, exportedAt: undefined });

describe.each(dialects)('export and import on %s', (dialect) => {
  let a: TestDb | undefined;
  let b: TestDb | undefined;
  afterAll(async () => {
    await a?.close().catch(() => {});
    await b?.close().catch(() => {});
  });

  it('an export imported into an empty database gives the same configuration back', async () => {
    a = await openTestDb(dialect);
    const key = config().ENCRYPTION_KEY;
    const s = await seedUsers();
    await seedConfiguration(s.user.id);
    // Two-factor sign-in travels with its user: the sealed secret and the hashed recovery codes.
    const userActor: Actor = { ...s.user, via: 'session' };
    const { secret } = await startTwoFactorEnrolment(userActor);
    const { recoveryCodes } = await confirmTwoFactorEnrolment(userActor, { code: await totpNow(secret) });
    const first = await exportConfiguration(cliActor);
    expect(JSON.stringify(first)).not.toContain('ssh-secret-pw');
    expect(JSON.stringify(first)).not.toContain(secret);
    expect(first.tables.recoveryCodes).toHaveLength(10);
    expect(first.tables.servers).toHaveLength(1);
    await a.close();
    a = undefined;

    b = await openTestDb(dialect, { ENCRYPTION_KEY: key });
    // A started installation already has its seeded default rules: import still works.
    await runStartupHooks();
    const counts = await importConfiguration(cliActor, JSON.parse(JSON.stringify(first)));
    expect(counts).toMatchObject({ servers: 1, domains: 2, upstreams: 1, upstreamTargets: 1, alertRules: 1, serverShares: 1, accessLists: 1, streams: 1 });
    const second = await exportConfiguration(cliActor);
    expect(strip(second)).toEqual(strip(first));
    const { db, t } = getDb();
    const [server] = await db.select().from(t.servers);
    expect(open(server.passwordEnc!)).toBe('ssh-secret-pw');
    // Tags travel with the configuration.
    expect(server.tags).toEqual(['eu', 'web']);
    expect((await db.select().from(t.domains))[0].tags).toEqual(['shop']);
    const [user] = await db.select().from(t.users).where(eq(t.users.id, s.user.id));
    expect(open(user.totpSecretEnc!)).toBe(secret);
    expect(await checkSecondFactor(user, recoveryCodes[0])).toBe('recovery_code');
    expect(await checkSecondFactor(user, await totpNow(secret, Math.floor(Date.now() / 1000) + 30))).toBe('totp');
    // A second import into a non-empty configuration is refused and changes nothing.
    await expect(importConfiguration(cliActor, first)).rejects.toMatchObject({ status: 409 });
    await expect(importConfiguration(cliActor, { format: 'other' })).rejects.toMatchObject({ status: 422 });
  });
});
