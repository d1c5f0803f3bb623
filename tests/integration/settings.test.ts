import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { getDb } from '@/lib/db';
import { cliActor } from '@/lib/access/actor';
import { ValidationError } from '@/lib/errors';
import { getEffectiveSettings, updateSettings } from '@/lib/settings/service';

describe.each(dialects)('settings on %s', (dialect) => {
  let tdb: TestDb;
  let s: Awaited<ReturnType<typeof seedUsers>>;
  beforeAll(async () => {
    tdb = await openTestDb(dialect, { ACME_EMAIL: 'ops@example.test' });
    s = await seedUsers();
  });
  afterAll(async () => tdb?.close());

  it('admin only: 401 signed out, 403 for users', async () => {
    expect((await api('GET', '/api/v1/settings')).status).toBe(401);
    expect((await api('GET', '/api/v1/settings', { token: s.userToken })).status).toBe(403);
    expect((await api('PATCH', '/api/v1/settings', { token: s.userToken, body: { dns: { servers: ['9.9.9.9'] } } })).status).toBe(403);
  });

  it('shows defaults, takes any part, keeps the bot token write-only and sealed', async () => {
    const before = await api('GET', '/api/v1/settings', { token: s.adminToken });
    expect(before.body.monitoring).toEqual({ intervalSeconds: 60, downAfterFailures: 3, upAfterSuccesses: 2, dnsIntervalMinutes: 60 });
    expect(before.body.telegram.tokenSet).toBe(false);
    const token = '123456789:AAbbCCddEEffGGhhIIjjKKllMMnn';
    const r = await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { telegram: { botToken: token, chatId: '-100123' }, monitoring: { intervalSeconds: 30 } } });
    expect(r.status).toBe(200);
    expect(r.body.telegram).toMatchObject({ botToken: null, tokenSet: true, chatId: '-100123' });
    expect(r.body.monitoring.intervalSeconds).toBe(30);
    expect(r.body.monitoring.downAfterFailures).toBe(3);
    expect(JSON.stringify(r.body)).not.toContain(token);
    const { db, t } = getDb();
    expect(JSON.stringify(await db.select().from(t.settings))).not.toContain(token);
    expect((await getEffectiveSettings()).telegram.botToken).toBe(token);
    const audit = await api('GET', '/api/v1/audit', { token: s.adminToken });
    expect(JSON.stringify(audit.body)).not.toContain(token);
  });

  it('rejects bad values with field messages and values pinned by the environment', async () => {
    const bad = await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { dns: { servers: ['not an ip'] }, monitoring: { intervalSeconds: 1 } } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['dns.servers.0', 'monitoring.intervalSeconds']));
    const pinned = await api('PATCH', '/api/v1/settings', { token: s.adminToken, body: { acme: { email: 'x@y.test' } } });
    expect(pinned.status).toBe(422);
    expect(pinned.body.error.fields['acme.email'][0]).toContain('ACME_EMAIL');
    const shown = await api('GET', '/api/v1/settings', { token: s.adminToken });
    expect(shown.body.acme.email).toBe('ops@example.test');
    expect(shown.body.readOnly).toContain('acme.email');
    expect(shown.body.monitoring.intervalSeconds).toBe(30);
  });

  it("a form's patch leaves out pinned values and keeps the saved token when its field is empty", async () => {
    const token = '987654321:ZZyyXXwwVVuuTTssRRqqPPoo';
    await updateSettings(cliActor, { telegram: { botToken: token } });
    const saved = await updateSettings(cliActor, { telegram: { botToken: '', chatId: '@gatehouse_ops' }, acme: { email: 'x@y.test' } }, { fromForm: true });
    expect(saved.telegram).toMatchObject({ tokenSet: true, chatId: '@gatehouse_ops' });
    expect(saved.acme.email).toBe('ops@example.test');
    expect((await getEffectiveSettings()).telegram.botToken).toBe(token);
    // The API's own rules stay: an empty token is not a token, a pinned value is a 422.
    await expect(updateSettings(cliActor, { telegram: { botToken: '' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(updateSettings(cliActor, { acme: { email: 'x@y.test' } })).rejects.toMatchObject({ fields: { 'acme.email': [expect.stringContaining('ACME_EMAIL')] } });
    const cleared = await updateSettings(cliActor, { telegram: { botToken: null } }, { fromForm: true });
    expect(cleared.telegram.tokenSet).toBe(false);
    const bad = await updateSettings(cliActor, { telegram: { botToken: 'nope' } }, { fromForm: true }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ fields: { 'telegram.botToken': [expect.stringContaining('@BotFather')] } });
  });
});
