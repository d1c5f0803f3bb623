import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, openTestDb, type TestDb, type TestDialect } from '../support/test-db';
import { makeFixtures, insertAvailable, type FixtureTable, type Fixtures, type InsertReport } from './upgrade-fixtures';
import { closeDb, migrateDb, migrationSteps, rawDb, switchDatabase } from '@/lib/db';
import { cliActor } from '@/lib/access/actor';
import { open } from '@/lib/crypto/secret-box';
import { getUser, listUsers } from '@/lib/users/service';
import { verifyCredentials, actorFromBearer } from '@/lib/auth/authenticate';
import { getEffectiveSettings } from '@/lib/settings/service';
import { getServer, listServers } from '@/lib/servers/store';
import { updateServer } from '@/lib/servers/service';
import { getServerRow } from '@/lib/servers/connection';
import { getUpstream, listUpstreams } from '@/lib/proxy/upstreams';
import { getDomain, listDomains } from '@/lib/proxy/domains';
import { getCertificate } from '@/lib/certs/service';
import { listCertificates } from '@/lib/certs/store';
import { getAlertRule } from '@/lib/alerts/rules';
import { getAlert, listAlerts } from '@/lib/alerts/store';
import { listSilences } from '@/lib/alerts/silences';
import { getTask, getTaskLogs } from '@/lib/tasks/service';
import { importConfiguration } from '@/lib/backup';

/**
 * The upgrade path, on both dialects: for every schema that has shipped (the state after each
 * step of drizzle's journal, so a new migration is covered as soon as it is generated), a
 * database is migrated to that step, filled with representative data valid for it, migrated the
 * rest of the way by the start-up code (lib/db migrateDb), and read back through lib: the rows
 * are intact and usable (sign-in, API token, sealed secrets, a change). Then `cli export` run
 * against a database of that schema (the CLI migrates it first, like every command) imports with
 * `cli import` into a fresh database; and exports that shipped releases wrote themselves
 * (tests/fixtures/upgrade) import into the newest schema.
 */
const root = path.resolve(import.meta.dirname, '../..');
const ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
const CONFIG_TABLES: FixtureTable[] = ['users', 'settings', 'servers', 'serverShares', 'upstreams', 'upstreamTargets', 'certificates', 'domains', 'alertRules', 'silences'];

const sqlFiles = (dialect: TestDialect) =>
  fs.readdirSync(path.join(root, 'drizzle', dialect === 'sqlite' ? 'sqlite' : 'pg')).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();

/** What every check below needs to see of the fixture, through lib's reads (DTOs) and commands. */
async function expectIntact(fx: Fixtures, tables: Set<FixtureTable>, opts: { change: boolean }) {
  const { ids, plain } = fx;
  const has = (t: FixtureTable) => tables.has(t);
  if (has('users')) {
    expect(await getUser(cliActor, ids.admin)).toMatchObject({ email: 'old-admin@example.test', name: 'Old Admin', role: 'admin', active: true });
    expect(await getUser(cliActor, ids.user)).toMatchObject({ email: 'old-user@example.test', role: 'user' });
    expect((await listUsers(cliActor, { limit: 50 })).items.map((u) => u.id)).toEqual(expect.arrayContaining([ids.admin, ids.user]));
    expect(await verifyCredentials('old-admin@example.test', plain.adminPassword, null)).toMatchObject({ id: ids.admin, role: 'admin' });
  }
  if (has('apiTokens')) expect(await actorFromBearer(plain.apiToken, null)).toMatchObject({ id: ids.admin, role: 'admin' });
  if (has('settings')) {
    const s = await getEffectiveSettings();
    expect(s.monitoring).toMatchObject({ intervalSeconds: 45, downAfterFailures: 4, upAfterSuccesses: 3, dnsIntervalMinutes: 90 });
    expect(s.telegram).toMatchObject({ chatId: '-100123456', threadId: 7, enabled: true, botToken: plain.botToken });
  }
  if (has('servers')) {
    expect(await getServer(cliActor, ids.server)).toMatchObject({
      name: 'old-web-1', host: '10.1.2.3', sshPort: 2222, sshUser: 'deploy', authMethod: 'password', hasPassword: true, glances: { url: 'http://10.1.2.3:61208', apiVersion: 4 }, monitoringEnabled: true, status: 'up',
      nginx: { status: 'running', version: '1.22.1' }, os: 'Debian GNU/Linux 12 (bookworm)', lastSeenAt: fx.T1.toISOString(),
      hostKeyFingerprint: 'SHA256:oldpinnedkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', createdAt: fx.T0.toISOString(),
      ...(has('serverShares') && { sharedWith: [ids.user] }),
    });
    expect((await listServers(cliActor, { limit: 50 })).items.map((s) => s.id)).toContain(ids.server);
    expect(open((await getServerRow(ids.server)).passwordEnc!)).toBe(plain.sshPassword);
  }
  if (has('upstreams')) {
    const u = await getUpstream(cliActor, ids.upstream);
    expect(u).toMatchObject({ name: 'old-app', method: 'least_conn', keepalive: 16, healthCheck: { type: 'http', path: '/healthz' } });
    if (has('upstreamTargets')) {
      expect(u.targets).toMatchObject([
        { host: '10.9.0.1', port: 8080, weight: 3, backup: false, maxFails: 2, failTimeoutSeconds: 15 },
        { host: '10.9.0.2', port: 8081, weight: 1, backup: true },
      ]);
    }
    expect((await listUpstreams(cliActor, { limit: 50 })).items.map((x) => x.id)).toContain(ids.upstream);
  }
  if (has('certificates')) {
    expect(await getCertificate(cliActor, ids.certificate)).toMatchObject({ source: 'custom', names: ['old.example.test', 'www.old.example.test'], notAfter: '2027-01-02T03:04:05.000Z' });
    expect((await listCertificates(cliActor, { limit: 50 })).items.map((x) => x.id)).toContain(ids.certificate);
  }
  if (has('domains')) {
    expect(await getDomain(cliActor, ids.domain)).toMatchObject({
      fqdn: 'old.example.test', aliases: ['www.old.example.test'], serverId: ids.server, upstreamId: ids.upstream,
      ssl: { mode: 'custom', certificateId: ids.certificate, forceHttps: true, hsts: true, http2: true },
      websocket: true, clientMaxBodySize: '10m', nameservers: { expected: ['ns1.example.test', 'ns2.example.test'] },
    });
    expect((await listDomains(cliActor, { limit: 50 })).items.map((x) => x.id)).toContain(ids.domain);
  }
  if (has('alertRules')) expect(await getAlertRule(cliActor, ids.rule)).toMatchObject({ kind: 'cpu', threshold: 70, durationSeconds: 120, severity: 'critical', serverId: ids.server });
  if (has('alerts')) {
    expect(await getAlert(cliActor, ids.alert)).toMatchObject({ state: 'firing', severity: 'critical', subject: { type: 'server', id: ids.server, name: 'old-web-1' }, value: 93.5, startedAt: fx.T1.toISOString() });
    expect((await listAlerts(cliActor, { limit: 50, state: 'firing' })).items.map((x) => x.id)).toContain(ids.alert);
  }
  if (has('silences')) {
    const items = (await listSilences(cliActor, { limit: 50, past: 'true' })).items;
    expect(items.find((x) => x.id === ids.silence)).toMatchObject({ serverId: ids.server, reason: 'old maintenance window', endsAt: fx.silenceEnds.toISOString() });
  }
  if (has('tasks')) {
    expect(await getTask(cliActor, ids.task)).toMatchObject({ kind: 'server.deploy', status: 'succeeded', progress: 100, serverId: ids.server });
    if (has('taskLogs')) expect((await getTaskLogs(cliActor, ids.task, { after: 0, limit: 100 })).lines.map((l) => l.text)).toEqual(['Deploying 3 files', 'nginx: configuration file test is successful']);
  }
  if (opts.change && has('servers')) {
    // Usable, not just readable: a change through lib on the upgraded row.
    await updateServer(cliActor, ids.server, { name: 'old-web-1-renamed', sshPort: 2200 });
    expect(await getServer(cliActor, ids.server)).toMatchObject({ name: 'old-web-1-renamed', sshPort: 2200, host: '10.1.2.3' });
  }
}

describe.each(dialects)('upgrade path on %s', (dialect) => {
  const steps = migrationSteps(dialect);

  it('covers every migration file: the journal and drizzle/ agree', () => {
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.map((s) => s.idx)).toEqual(steps.map((_, i) => i));
    expect(steps.map((s) => s.tag).sort()).toEqual(sqlFiles(dialect));
  });

  describe.each(steps.map((s) => [s.idx, s.tag] as const))('data written at schema step %i (%s)', (idx) => {
    let tdb: TestDb;
    let fx: Fixtures;
    let report: InsertReport;

    beforeAll(async () => {
      tdb = await openTestDb(dialect, { ENCRYPTION_KEY }, { migrateThrough: idx });
      fx = makeFixtures();
      report = await insertAvailable(fx);
      if (report.filled.length) console.log(`[upgrade-path] ${dialect} step ${idx}: neutral values for ${report.filled.join(', ')}`);
      await migrateDb(); // the rest, as start-up applies it
    });
    afterAll(async () => {
      await tdb?.close();
    });

    it('stops at that step, then the start-up migration brings it to the newest', async () => {
      const applied = await appliedMigrations();
      expect(applied).toBe(steps.length);
      // The fixture touched what existed then: users at least, from the first schema on.
      expect(report.inserted.has('users')).toBe(true);
      if (idx === steps.length - 1) expect(report.skipped).toEqual([]);
    });

    it('is intact and usable through lib after the upgrade', async () => {
      await expectIntact(fx, report.inserted, { change: true });
    });
  });

  describe.each(steps.map((s) => [s.idx, s.tag] as const))('`cli export` from schema step %i (%s)', (idx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-upgrade-cli-'));
    let source: TestDb;
    let target: { url: string; drop: () => Promise<void> };
    let fx: Fixtures;
    let report: InsertReport;
    let env: NodeJS.ProcessEnv;

    const cli = (url: string, ...args: string[]) => {
      const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['lib/cli/main.ts', ...args], { cwd: root, env: { ...env, DATABASE_URL: url }, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };

    beforeAll(async () => {
      source = await openTestDb(dialect, { ENCRYPTION_KEY }, { migrateThrough: idx });
      fx = makeFixtures();
      report = await insertAvailable(fx);
      await closeDb(); // the CLI is its own process; on SQLite it must not share the file with us
      if (dialect === 'sqlite') target = { url: `file:${path.join(dir, 'newest.db')}`, drop: async () => {} };
      else {
        const { createTestPostgresDatabase } = await import('../support/postgres');
        target = await createTestPostgresDatabase();
      }
      env = { ...process.env, DATA_DIR: dir, ENCRYPTION_KEY, AUTH_SECRET: crypto.randomBytes(32).toString('hex'), SCHEDULER: 'off' };
    });
    afterAll(async () => {
      await closeDb();
      await switchDatabase(source.url); // so close() drops the right one
      await source?.close();
      await target?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('imports into a fresh database of the newest schema, configuration intact', async () => {
      const file = path.join(dir, 'export.json');
      const exported = cli(source.url, 'export', '--file', file);
      expect(exported, exported.stderr).toMatchObject({ code: 0 });
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(doc.format).toBe('gatehouse-export');
      expect(doc.tables.users.map((u: { email: string }) => u.email).sort()).toEqual(['old-admin@example.test', 'old-user@example.test']);

      const imported = cli(target.url, 'import', '--file', file);
      expect(imported, imported.stderr).toMatchObject({ code: 0 });
      expect(imported.stdout).toMatch(/imported .*2 users/);

      await switchDatabase(target.url);
      expect(await appliedMigrations()).toBe(steps.length);
      const config = new Set(CONFIG_TABLES.filter((t) => report.inserted.has(t)));
      await expectIntact(fx, config, { change: true });
    });
  });
});

/**
 * An export as a shipped release wrote it: release 2436a40, the first with `cli export` (schema
 * step 1 on both dialects), run from its own tree on its own SQLite database by
 * tests/fixtures/upgrade/make-old-export.sh with UPGRADE_FIXTURE_KEY below.
 */
const OLD_EXPORTS = [{ release: '2436a40', file: 'export-2436a40.json' }];
const UPGRADE_FIXTURE_KEY = Buffer.from('upgrade-fixture-key-0123456789ab').toString('base64');

/** The fixture's ids as the old release generated them (the plaintexts are fixed in makeFixtures). */
function fixturesFromExport(doc: { tables: Record<string, Array<Record<string, unknown>>> }): Fixtures {
  const base = makeFixtures();
  const one = (table: string, where: (r: Record<string, unknown>) => boolean = () => true) => {
    const row = doc.tables[table]!.find(where);
    expect(row, table).toBeDefined();
    return row!;
  };
  return {
    ...base,
    ids: {
      ...base.ids,
      admin: String(one('users', (u) => u.email === 'old-admin@example.test').id),
      user: String(one('users', (u) => u.email === 'old-user@example.test').id),
      server: String(one('servers').id),
      upstream: String(one('upstreams').id),
      certificate: String(one('certificates').id),
      domain: String(one('domains').id),
      rule: String(one('alertRules').id),
      silence: String(one('silences').id),
    },
    silenceEnds: new Date(String(one('silences').endsAt)),
  };
}

describe.each(dialects)('exports of shipped releases import into the newest schema on %s', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await openTestDb(dialect, { ENCRYPTION_KEY: UPGRADE_FIXTURE_KEY });
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it.each(OLD_EXPORTS)('release $release', async ({ file }) => {
    const doc = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/upgrade', file), 'utf8'));
    const counts = await importConfiguration(cliActor, doc);
    expect(counts).toMatchObject({ users: 2, settings: 2, servers: 1, serverShares: 1, upstreams: 1, upstreamTargets: 2, certificates: 1, domains: 1, alertRules: 1, silences: 1 });
    await expectIntact(fixturesFromExport(doc), new Set(CONFIG_TABLES), { change: true });
  });
});

/** Rows in drizzle's migrations table of the process database. */
async function appliedMigrations(): Promise<number> {
  const raw = rawDb();
  if (raw.dialect === 'sqlite') return (raw.sqlite!.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
  const [r] = await raw.pg!`select count(*)::int as n from drizzle.__drizzle_migrations`;
  return r!.n as number;
}
