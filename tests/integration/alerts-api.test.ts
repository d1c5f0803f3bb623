import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/test-db';
import { api } from '../support/api';
import { seedUsers } from '../support/fixtures';
import { getDb } from '@/lib/db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { addDomain, addServer, addUpstream, alertingSuite, notificationRows, setServerStatus } from './alerts-fixtures';

/**
 * The alerting API as CONTRACT.md lists it: roles on every route (signed out 401, users 403 on
 * writes, 404 for what is not shared), 422 with field messages for bad input, audit records,
 * and the Telegram test message against the fake Bot API.
 */
const TOKEN = '123456:ABC-api-test-token-abcdefghijklmnopq';

describe.each(dialects)('alerting API on %s', (dialect) => {
  const suite = alertingSuite(dialect); // no Telegram channel until a test sets one
  let s: Awaited<ReturnType<typeof seedUsers>>;
  beforeAll(async () => {
    s = await seedUsers();
  });

  const as = (who: 'admin' | 'user' | 'none') => (who === 'admin' ? s.adminToken : who === 'user' ? s.userToken : undefined);
  const call = (who: 'admin' | 'user' | 'none', method: string, path: string, body?: unknown) => api(method, path, { token: as(who), body });
  const share = async (serverId: string) => {
    const { db, t } = getDb();
    await db.insert(t.serverShares).values({ serverId, userId: s.user.id });
  };

  it('every route: 401 signed out; writes 403 for users', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/alerts'], ['GET', '/api/v1/alert-rules'], ['POST', '/api/v1/alert-rules', { kind: 'cpu' }], ['GET', '/api/v1/alert-rules/x'],
      ['PATCH', '/api/v1/alert-rules/x', {}], ['DELETE', '/api/v1/alert-rules/x'], ['GET', '/api/v1/silences'], ['POST', '/api/v1/silences', {}],
      ['DELETE', '/api/v1/silences/x'], ['POST', '/api/v1/settings/telegram/test'], ['GET', '/api/v1/alerts/x'],
    ];
    for (const [method, path, body] of routes) expect((await call('none', method, path, body)).status, `${method} ${path}`).toBe(401);
    for (const [method, path, body] of routes.filter(([m, p]) => m !== 'GET' && p !== '/api/v1/alerts/x')) {
      expect((await call('user', method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('ships the default rules; admins edit them, overrides per server, audited', async () => {
    const list = await call('admin', 'GET', '/api/v1/alert-rules?limit=500');
    expect(list.status).toBe(200);
    const byKind = Object.fromEntries(list.body.items.map((r: { kind: string }) => [r.kind, r]));
    expect(Object.keys(byKind).sort()).toEqual(['cert_expiry', 'config_drift', 'cpu', 'deploy_failed', 'disk', 'host_key_changed', 'load', 'memory', 'ns_mismatch', 'server_down', 'upstream_down']);
    expect(byKind.cpu).toMatchObject({ threshold: 85, durationSeconds: 300, severity: 'warning', enabled: true, serverId: null });
    expect(byKind.memory).toMatchObject({ threshold: 90, durationSeconds: 300 });
    expect(byKind.server_down).toMatchObject({ threshold: null, durationSeconds: 0, severity: 'critical' });
    expect(byKind.cert_expiry).toMatchObject({ threshold: 14 });

    const patched = await call('admin', 'PATCH', `/api/v1/alert-rules/${byKind.cpu.id}`, { threshold: 92.5, durationSeconds: 600, reminderMinutes: 60 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ threshold: 92.5, durationSeconds: 600, reminderMinutes: 60, kind: 'cpu' });
    const web = await addServer('web01');
    const created = await call('admin', 'POST', '/api/v1/alert-rules', { kind: 'disk', serverId: web, threshold: 95, durationSeconds: 0, severity: 'critical' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'disk', serverId: web, threshold: 95, enabled: true, reminderMinutes: null });
    const dup = await call('admin', 'POST', '/api/v1/alert-rules', { kind: 'disk', serverId: web, threshold: 90 });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('alert_rule_exists');
    expect((await call('admin', 'DELETE', `/api/v1/alert-rules/${byKind.cpu.id}`)).body.error.code).toBe('alert_rule_global');
    expect((await call('admin', 'DELETE', `/api/v1/alert-rules/${created.body.id}`)).status).toBe(204);
    expect((await call('admin', 'GET', `/api/v1/alert-rules/${created.body.id}`)).status).toBe(404);

    const audit = await call('admin', 'GET', '/api/v1/audit?limit=20');
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['alert_rule.update', 'alert_rule.create', 'alert_rule.delete']));
  });

  it('bad rule input is a 422 with field messages, never a 500', async () => {
    const web = await addServer('web01');
    const cases: Array<[unknown, string]> = [
      [{ kind: 'fan_speed' }, 'kind'],
      [{ kind: 'cpu', threshold: 150 }, 'threshold'],
      [{ kind: 'cpu' }, 'threshold'],
      [{ kind: 'server_down', threshold: 3 }, 'threshold'],
      [{ kind: 'cert_expiry', threshold: 2.5 }, 'threshold'],
      [{ kind: 'cpu', threshold: 90, durationSeconds: -1 }, 'durationSeconds'],
      [{ kind: 'cpu', threshold: 90, severity: 'apocalyptic' }, 'severity'],
      [{ kind: 'cpu', threshold: 90, reminderMinutes: 1 }, 'reminderMinutes'],
      [{ kind: 'cpu', threshold: 90, serverId: 'nope' }, 'serverId'],
      [{ kind: 'cpu', threshold: 90, serverId: web, colour: 'red' }, 'colour'],
      [{ kind: 'cpu', threshold: '90' }, 'threshold'],
    ];
    for (const [body, field] of cases) {
      const r = await call('admin', 'POST', '/api/v1/alert-rules', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys(r.body.error.fields), JSON.stringify(body)).toContain(field);
    }
    const rules = await call('admin', 'GET', '/api/v1/alert-rules');
    const cpu = rules.body.items.find((r: { kind: string }) => r.kind === 'cpu');
    expect((await call('admin', 'PATCH', `/api/v1/alert-rules/${cpu.id}`, { kind: 'memory' })).status).toBe(422);
    expect((await call('admin', 'PATCH', `/api/v1/alert-rules/${cpu.id}`, { threshold: null })).status).toBe(422);
    expect((await api('POST', '/api/v1/alert-rules', { token: s.adminToken, rawBody: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('users see incidents, overrides and silences of their shared servers only', async () => {
    const mine = await addServer('shared01');
    const other = await addServer('secret01');
    await share(mine);
    await setServerStatus(mine, 'down');
    await setServerStatus(other, 'down');
    await evaluateAlerts();
    const admin = await call('admin', 'GET', '/api/v1/alerts?state=firing');
    expect(admin.body.items.map((a: { subject: { name: string } }) => a.subject.name).sort()).toEqual(['secret01', 'shared01']);
    const user = await call('user', 'GET', '/api/v1/alerts?state=firing');
    expect(user.body.items).toHaveLength(1);
    expect(user.body.items[0]).toMatchObject({ kind: 'server_down', severity: 'critical', state: 'firing', subject: { type: 'server', id: mine, name: 'shared01' }, resolvedAt: null, value: null });
    expect(typeof user.body.items[0].startedAt).toBe('string');
    const hidden = admin.body.items.find((a: { subject: { name: string } }) => a.subject.name === 'secret01');
    expect((await call('user', 'GET', `/api/v1/alerts/${hidden.id}`)).status).toBe(404);
    expect((await call('user', 'GET', `/api/v1/alerts?serverId=${other}`)).status).toBe(404);
    expect((await call('user', 'GET', '/api/v1/alerts?state=exploded')).status).toBe(422);
    expect((await call('user', 'GET', '/api/v1/alerts?state=resolved')).body.items).toEqual([]);

    const o1 = await call('admin', 'POST', '/api/v1/alert-rules', { kind: 'cpu', serverId: mine, threshold: 50 });
    const o2 = await call('admin', 'POST', '/api/v1/alert-rules', { kind: 'cpu', serverId: other, threshold: 50 });
    const userRules = await call('user', 'GET', '/api/v1/alert-rules?limit=100');
    expect(userRules.body.items.map((r: { id: string }) => r.id)).toContain(o1.body.id);
    expect(userRules.body.items.map((r: { id: string }) => r.id)).not.toContain(o2.body.id);
    expect((await call('user', 'GET', `/api/v1/alert-rules/${o2.body.id}`)).status).toBe(404);

    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    await call('admin', 'POST', '/api/v1/silences', { serverId: mine, endsAt, reason: 'patching' });
    await call('admin', 'POST', '/api/v1/silences', { serverId: other, endsAt, reason: 'secret work' });
    const userSilences = await call('user', 'GET', '/api/v1/silences');
    expect(userSilences.body.items.map((x: { reason: string }) => x.reason)).toEqual(['patching']);
  });

  it('silences: create with field errors for bad input, list, end early; audited', async () => {
    const web = await addServer('web01');
    const pool = await addUpstream('app', [{ host: '10.0.0.9', health: 'unknown' }]);
    const shop = await addDomain('shop.example.com', web, pool);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const bad: Array<[unknown, string]> = [
      [{ endsAt: soon }, 'serverId'],
      [{ serverId: web, domainId: shop, endsAt: soon }, 'serverId'],
      [{ serverId: web, endsAt: 'tomorrow' }, 'endsAt'],
      [{ serverId: web, startsAt: soon, endsAt: new Date(Date.now() + 60_000).toISOString() }, 'endsAt'],
      [{ serverId: web, endsAt: new Date(Date.now() - 60_000).toISOString(), startsAt: new Date(Date.now() - 120_000).toISOString() }, 'endsAt'],
      [{ serverId: 'nope', endsAt: soon }, 'serverId'],
      [{ domainId: 'nope', endsAt: soon }, 'domainId'],
      [{ serverId: web, endsAt: soon, reason: 'x'.repeat(600) }, 'reason'],
    ];
    for (const [body, field] of bad) {
      const r = await call('admin', 'POST', '/api/v1/silences', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys(r.body.error.fields), JSON.stringify(body)).toContain(field);
    }
    const created = await call('admin', 'POST', '/api/v1/silences', { domainId: shop, endsAt: soon, reason: 'DNS move' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ serverId: null, domainId: shop, reason: 'DNS move', active: true, endsAt: soon });
    const list = await call('admin', 'GET', '/api/v1/silences');
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([created.body.id]);
    expect((await call('admin', 'DELETE', `/api/v1/silences/${created.body.id}`)).status).toBe(204);
    expect((await call('admin', 'GET', '/api/v1/silences')).body.items).toEqual([]);
    expect((await call('admin', 'GET', '/api/v1/silences?past=true')).body.items).toEqual([]);
    expect((await call('admin', 'DELETE', `/api/v1/silences/${created.body.id}`)).status).toBe(404);
    const actions = (await call('admin', 'GET', '/api/v1/audit?limit=5')).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['silence.create', 'silence.delete']));
  });

  it('Telegram test message: needs settings, sends through the fake, reports failures without the token', async () => {
    expect((await call('admin', 'POST', '/api/v1/settings/telegram/test')).body).toEqual({ ok: false, message: 'Set the bot token first.' });
    await call('admin', 'PATCH', '/api/v1/settings', { telegram: { botToken: TOKEN, chatId: '-100555', threadId: 7 } });
    const ok = await call('admin', 'POST', '/api/v1/settings/telegram/test');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, message: 'Test message sent.' });
    expect(suite.tg.messages).toHaveLength(1);
    expect(suite.tg.messages[0]).toMatchObject({ token: TOKEN, chat_id: '-100555', message_thread_id: '7', parse_mode: 'HTML' });
    suite.tg.failNext(1, { kind: '429', retryAfter: 12 });
    const limited = await call('admin', 'POST', '/api/v1/settings/telegram/test');
    expect(limited.body).toEqual({ ok: false, message: 'Telegram did not take the message: rate limited by Telegram (try again in 12 s).' });
    suite.tg.setValidTokens(['999:other']);
    const rejected = await call('admin', 'POST', '/api/v1/settings/telegram/test');
    expect(rejected.body.ok).toBe(false);
    expect(rejected.body.message).toContain('bot token rejected by Telegram');
    suite.tg.setValidTokens(null);
    expect(JSON.stringify([ok.body, limited.body, rejected.body, await notificationRows()])).not.toContain(TOKEN);
    const actions = (await call('admin', 'GET', '/api/v1/audit?limit=3')).body.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('settings.telegram_test');
    await call('admin', 'PATCH', '/api/v1/settings', { telegram: { botToken: null } });
  });

  it('without a Telegram channel incidents are recorded and their messages kept as not sent (no flood later)', async () => {
    const web = await addServer('web01');
    await setServerStatus(web, 'down');
    await evaluateAlerts();
    const rows = await notificationRows();
    expect(rows.map((r) => [r.kind, r.status])).toEqual([['fired', 'dead']]);
    expect(rows[0]!.lastError).toBe('Not sent: Telegram is not configured (bot token and chat id).');
  });

  it('an incident shows silenced while a silence covers its server, from the list and by id (issue 18)', async () => {
    const web = await addServer('web01');
    const other = await addServer('web02');
    await share(web);
    await setServerStatus(web, 'down');
    await setServerStatus(other, 'down');
    await evaluateAlerts();
    const firing = async (who: 'admin' | 'user') => (await call(who, 'GET', '/api/v1/alerts?state=firing')).body.items as Array<{ id: string; serverId: string; silenced: boolean }>;
    const silencedBy = async (who: 'admin' | 'user') => Object.fromEntries((await firing(who)).map((a) => [a.serverId, a.silenced]));
    expect(await silencedBy('admin')).toEqual({ [web]: false, [other]: false });

    // Opened before the silence, so the evaluator never marked it: the silence still covers it.
    const created = await call('admin', 'POST', '/api/v1/silences', { serverId: web, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'kernel upgrade' });
    expect(created.status).toBe(201);
    expect(await silencedBy('admin')).toEqual({ [web]: true, [other]: false });
    expect(await silencedBy('user')).toEqual({ [web]: true });
    const one = (await firing('admin')).find((a) => a.serverId === web)!;
    expect((await call('user', 'GET', `/api/v1/alerts/${one.id}`)).body.silenced).toBe(true);

    // A silence that has not started yet covers nothing; a deleted one no longer does.
    await call('admin', 'POST', '/api/v1/silences', {
      serverId: other, startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), reason: 'later',
    });
    expect((await silencedBy('admin'))[other]).toBe(false);
    expect((await call('admin', 'DELETE', `/api/v1/silences/${created.body.id}`)).status).toBe(204);
    expect((await silencedBy('admin'))[web]).toBe(false);
  });

  it('the OpenAPI document lists the alerting operations', async () => {
    const doc = await call('none', 'GET', '/api/v1/openapi.json');
    for (const p of ['/alerts', '/alerts/{id}', '/alert-rules', '/alert-rules/{id}', '/silences', '/silences/{id}', '/settings/telegram/test']) {
      expect(Object.keys(doc.body.paths), p).toContain(p);
    }
  });
});
