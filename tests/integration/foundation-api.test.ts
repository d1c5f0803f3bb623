import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { atomically, getDb, newId } from '@/lib/db';
import { seal, open } from '@/lib/crypto/secret-box';
import { rotateKeys } from '@/lib/backup/rotate-keys';
import { cliActor } from '@/lib/access/actor';
import { verifyCredentials } from '@/lib/auth/authenticate';
import { bootstrap, completeSetup } from '@/lib/auth/setup';

describe.each(dialects)('foundation API on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;

  beforeAll(async () => {
    tdb = await openTestDb(dialect);
    s = await seedUsers();
  });
  afterAll(async () => tdb?.close());

  it('health answers without auth and names the database', async () => {
    const r = await api('GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', database: dialect });
    expect(typeof r.body.version).toBe('string');
  });

  it('me: 401 signed out, the user when signed in by token', async () => {
    expect((await api('GET', '/api/v1/me')).status).toBe(401);
    expect((await api('GET', '/api/v1/me', { token: 'gh_nonsense' })).status).toBe(401);
    const r = await api('GET', '/api/v1/me', { token: s.userToken });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: s.user.id, email: s.user.email, name: 'Uma User', role: 'user' });
  });

  it('users: admin only (401 signed out, 403 for a user token)', async () => {
    expect((await api('GET', '/api/v1/users')).status).toBe(401);
    const forbidden = await api('GET', '/api/v1/users', { token: s.userToken });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    const denied = await api('POST', '/api/v1/users', { token: s.userToken, body: { email: 'x@y.test', password: 'long-enough-1' } });
    expect(denied.status).toBe(403);
    const r = await api('GET', '/api/v1/users', { token: s.adminToken });
    expect(r.status).toBe(200);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.items.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining([s.admin.email, s.user.email]));
    // No password field nor hash (`authProvider: "password"` names how one signs in, not a secret).
    expect(JSON.stringify(r.body).replaceAll('"authProvider":"password"', '')).not.toMatch(/password|\$2[aby]\$/i);
  });

  it('users: create, get, patch, paginate and delete', async () => {
    const created = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email: 'New@Example.test', password: 'a-good-password', name: 'New' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new@example.test', role: 'user', active: true, name: 'New' });
    const id = created.body.id;
    expect((await api('GET', `/api/v1/users/${id}`, { token: s.adminToken })).body.email).toBe('new@example.test');
    const patched = await api('PATCH', `/api/v1/users/${id}`, { token: s.adminToken, body: { name: 'Renamed', role: 'admin' } });
    expect(patched.body).toMatchObject({ name: 'Renamed', role: 'admin' });
    const page = await api('GET', '/api/v1/users?limit=1', { token: s.adminToken });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await api('GET', `/api/v1/users?limit=1&cursor=${page.body.nextCursor}`, { token: s.adminToken });
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    expect((await api('DELETE', `/api/v1/users/${id}`, { token: s.adminToken })).status).toBe(204);
    expect((await api('GET', `/api/v1/users/${id}`, { token: s.adminToken })).status).toBe(404);
  });

  it('bad input: 422 with fields, 409 on duplicates, 400 on malformed JSON, 413 when oversized — never 5xx', async () => {
    const bad = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email: 'nope', password: 'short', role: 'root' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['email', 'password', 'role']);
    const unknown = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email: 'u@x.test', password: 'long-enough-1', isAdmin: true } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.isAdmin).toBeDefined();
    const wrongType = await api('PATCH', `/api/v1/users/${s.user.id}`, { token: s.adminToken, body: { active: 'yes' } });
    expect(wrongType.status).toBe(422);
    const dup = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email: s.user.email, password: 'long-enough-1' } });
    expect(dup.status).toBe(409);
    const malformed = await api('POST', '/api/v1/users', { token: s.adminToken, rawBody: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const arrayBody = await api('POST', '/api/v1/users', { token: s.adminToken, body: [1, 2] });
    expect(arrayBody.status).toBe(422);
    const huge = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email: 'x@y.test', password: 'p'.repeat(2_000_000) } });
    expect(huge.status).toBe(413);
    const badLimit = await api('GET', '/api/v1/users?limit=100000', { token: s.adminToken });
    expect(badLimit.status).toBe(422);
    expect((await api('GET', '/api/v1/users/does-not-exist', { token: s.adminToken })).status).toBe(404);
    expect((await api('GET', '/api/v1/no-such-thing', { token: s.adminToken })).status).toBe(404);
  });

  it('the last active admin cannot be demoted or deactivated', async () => {
    const { db, t } = getDb();
    const admins = await db.select().from(t.users).where(eq(t.users.role, 'admin'));
    // Make s.admin the only active admin.
    for (const a of admins) if (a.id !== s.admin.id) await db.update(t.users).set({ active: false }).where(eq(t.users.id, a.id));
    const demote = await api('PATCH', `/api/v1/users/${s.admin.id}`, { token: s.adminToken, body: { role: 'user' } });
    expect(demote.status).toBe(422);
    expect(demote.body.error.fields.role[0]).toMatch(/last active admin/);
    const deactivate = await api('PATCH', `/api/v1/users/${s.admin.id}`, { token: s.adminToken, body: { active: false } });
    expect(deactivate.status).toBe(422);
    expect(deactivate.body.error.fields.active).toBeDefined();
  });

  it('tokens: own tokens only, shown once, stored hashed, revocable', async () => {
    const created = await api('POST', '/api/v1/tokens', { token: s.userToken, body: { name: 'script', expiresDays: 30 } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^gh_/);
    const list = await api('GET', '/api/v1/tokens', { token: s.userToken });
    expect(list.body.items.map((x: { name: string }) => x.name)).toContain('script');
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    const { db, t } = getDb();
    const rows = await db.select().from(t.apiTokens);
    expect(JSON.stringify(rows)).not.toContain(created.body.token);
    // Another user's token is invisible: 404.
    expect((await api('DELETE', `/api/v1/tokens/${created.body.id}`, { token: s.adminToken })).status).toBe(404);
    expect((await api('GET', '/api/v1/me', { token: created.body.token })).status).toBe(200);
    expect((await api('DELETE', `/api/v1/tokens/${created.body.id}`, { token: s.userToken })).status).toBe(204);
    expect((await api('GET', '/api/v1/me', { token: created.body.token })).status).toBe(401);
  });

  it('an expired token stops working', async () => {
    const created = await api('POST', '/api/v1/tokens', { token: s.userToken, body: { name: 'short-lived', expiresDays: 1 } });
    const { db, t } = getDb();
    await db.update(t.apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(t.apiTokens.id, created.body.id));
    expect((await api('GET', '/api/v1/me', { token: created.body.token })).status).toBe(401);
  });

  it('deactivating a user or changing their password ends their tokens and sessions', async () => {
    const u = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email: `victim-${dialect}@x.test`, password: 'first-password-1' } });
    const tok = (await api('POST', '/api/v1/tokens', { token: s.adminToken, body: { name: 'x' } })).body; // admin's own
    expect(tok.token).toBeDefined();
    const { createToken } = await import('@/lib/tokens/service');
    const victimToken = (await createToken(cliActor, { name: 'v' }, u.body.id)).token;
    const { db, t } = getDb();
    const before = (await db.select().from(t.users).where(eq(t.users.id, u.body.id)))[0].sessionVersion;
    expect((await api('GET', '/api/v1/me', { token: victimToken })).status).toBe(200);
    await api('PATCH', `/api/v1/users/${u.body.id}`, { token: s.adminToken, body: { active: false } });
    expect((await api('GET', '/api/v1/me', { token: victimToken })).status).toBe(401);
    const after = (await db.select().from(t.users).where(eq(t.users.id, u.body.id)))[0].sessionVersion;
    expect(after).toBeGreaterThan(before);
    await api('PATCH', `/api/v1/users/${u.body.id}`, { token: s.adminToken, body: { active: true } });
    const second = (await createToken(cliActor, { name: 'v2' }, u.body.id)).token;
    expect((await api('GET', '/api/v1/me', { token: second })).status).toBe(200);
    await api('PATCH', `/api/v1/users/${u.body.id}`, { token: s.adminToken, body: { password: 'second-password-2' } });
    expect((await api('GET', '/api/v1/me', { token: second })).status).toBe(401);
  });

  it('changing your own password needs the current one', async () => {
    const email = `self-${dialect}@x.test`;
    const u = await api('POST', '/api/v1/users', { token: s.adminToken, body: { email, password: 'first-password-1' } });
    const { createToken } = await import('@/lib/tokens/service');
    const tok = (await createToken(cliActor, { name: 'v' }, u.body.id)).token;
    const wrong = await api('POST', '/api/v1/me/password', { token: tok, body: { currentPassword: 'nope', newPassword: 'second-password-2' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields.currentPassword).toBeDefined();
    const ok = await api('POST', '/api/v1/me/password', { token: tok, body: { currentPassword: 'first-password-1', newPassword: 'second-password-2' } });
    expect(ok.status).toBe(204);
    await expect(verifyCredentials(email, 'second-password-2', null)).resolves.toMatchObject({ email });
  });

  it('failed sign-ins are rate-limited per account and per address', async () => {
    const email = s.user.email;
    for (let i = 0; i < 5; i++) await expect(verifyCredentials(email, 'wrong', '10.9.9.9')).rejects.toMatchObject({ status: 401 });
    await expect(verifyCredentials(email, 'user-password-1', '10.9.9.8')).rejects.toMatchObject({ status: 429 });
    for (let i = 0; i < 20; i++) await verifyCredentials(`nobody${i}@x.test`, 'wrong', '10.7.7.7').catch(() => {});
    await expect(verifyCredentials(s.admin.email, 'admin-password-1', '10.7.7.7')).rejects.toMatchObject({ status: 429 });
    await expect(verifyCredentials(s.admin.email, 'admin-password-1', '10.7.7.6')).resolves.toMatchObject({ email: s.admin.email });
  });

  it('audit records every change to users and tokens, for admins only', async () => {
    const r = await api('GET', '/api/v1/audit?limit=500', { token: s.adminToken });
    expect(r.status).toBe(200);
    const actions = new Set(r.body.items.map((e: { action: string }) => e.action));
    for (const a of ['user.create', 'user.update', 'user.delete', 'token.create', 'token.revoke', 'user.password_change']) expect(actions).toContain(a);
    expect(JSON.stringify(r.body)).not.toMatch(/first-password|second-password/);
    expect((await api('GET', '/api/v1/audit', { token: s.userToken })).status).toBe(403);
  });

  it('a failure inside a transaction leaves nothing behind', async () => {
    const { db, t } = getDb();
    const id = newId();
    await expect(
      atomically(async (tx) => {
        const now = new Date();
        await tx.insert(t.users).values({ id, email: `tx-${id}@x.test`, passwordHash: 'x', createdAt: now, updatedAt: now });
        await tx.insert(t.settings).values({ key: `tx-${id}`, value: 1, updatedAt: now });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.select().from(t.users).where(eq(t.users.id, id))).toHaveLength(0);
    expect(await db.select().from(t.settings).where(eq(t.settings.key, `tx-${id}`))).toHaveLength(0);
  });

  it('secrets are sealed at rest and keys rotate', async () => {
    const { db, t } = getDb();
    const plaintext = 'very-secret-telegram-token-123';
    await db.insert(t.settings).values({ key: 'test.secret', value: null, secret: seal(plaintext), updatedAt: new Date() });
    if (tdb.file) {
      const { rawDb } = await import('@/lib/db');
      rawDb().sqlite!.pragma('wal_checkpoint(FULL)');
      const bytes = Buffer.concat([fs.readFileSync(tdb.file), ...(fs.existsSync(`${tdb.file}-wal`) ? [fs.readFileSync(`${tdb.file}-wal`)] : [])]);
      expect(bytes.includes(Buffer.from(plaintext))).toBe(false);
      expect(bytes.includes(Buffer.from('admin-password-1'))).toBe(false);
    }
    const before = (await db.select().from(t.settings).where(eq(t.settings.key, 'test.secret')))[0].secret!;
    const r = await rotateKeys(cliActor);
    expect(r.count).toBeGreaterThanOrEqual(1);
    const after = (await db.select().from(t.settings).where(eq(t.settings.key, 'test.secret')))[0].secret!;
    expect(after.split('.')[1]).not.toBe(before.split('.')[1]);
    expect(open(after)).toBe(plaintext);
  });

  it('openapi.json describes the routes from the same schemas', async () => {
    const r = await api('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    for (const p of ['/health', '/me', '/users', '/users/{id}', '/tokens', '/tokens/{id}', '/audit']) expect(r.body.paths[p]).toBeDefined();
    const create = r.body.paths['/users'].post;
    expect(create.requestBody.content['application/json'].schema.properties.email).toBeDefined();
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });
});

describe.each(dialects)('first-run setup on %s', (dialect) => {
  let tdb: TestDb;
  afterAll(async () => tdb?.close());

  it('issues a one-time code while no user exists, and only that code creates the first admin', async () => {
    tdb = await openTestDb(dialect);
    const boot = await bootstrap();
    expect(boot.setupCode).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    await expect(completeSetup({ code: 'WRONG', email: 'first@x.test', password: 'first-admin-pass' }, null)).rejects.toMatchObject({ status: 422 });
    const made = await completeSetup({ code: boot.setupCode!.toLowerCase(), email: 'first@x.test', password: 'first-admin-pass' }, null);
    expect(made.email).toBe('first@x.test');
    await expect(completeSetup({ code: boot.setupCode!, email: 'second@x.test', password: 'first-admin-pass' }, null)).rejects.toMatchObject({ status: 409 });
    expect(await bootstrap()).toEqual({});
  });

  it('ADMIN_EMAIL and ADMIN_PASSWORD create the first admin instead', async () => {
    await tdb.close();
    tdb = await openTestDb(dialect, { ADMIN_EMAIL: 'boot@x.test', ADMIN_PASSWORD: 'bootstrap-pass-1' });
    expect(await bootstrap()).toEqual({ createdAdmin: 'boot@x.test' });
    await expect(verifyCredentials('boot@x.test', 'bootstrap-pass-1', null)).resolves.toMatchObject({ role: 'admin' });
  });
});
