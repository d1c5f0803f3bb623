/**
 * Representative data for the upgrade-path test, written into a database of an OLDER schema.
 *
 * Rows are given with the newest schema's property names; `insertAvailable` writes each row with
 * raw SQL, keeping only the columns that exist in the database now (introspected), encoded by
 * the newest schema's column types. A table that does not exist yet is skipped. A column of the
 * old schema that the fixture does not know (dropped or renamed later) and that needs a value
 * gets a neutral one of its SQL type, and is reported, so a future migration that drops or
 * renames a column is still exercised with data in it.
 */
import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import { executeSql, getDb, newId, rawDb, type Tables } from '@/lib/db';
import { seal } from '@/lib/crypto/secret-box';
import { hashToken } from '@/lib/tokens/service';

export type FixtureTable = keyof Tables;
export type Row = Record<string, unknown>;

const at = (iso: string) => new Date(iso);
const T0 = at('2026-01-02T03:04:05.678Z');
const T1 = at('2026-01-03T04:05:06.789Z');

/** The data and the plaintexts the checks need (password, API token, sealed secrets). */
export function makeFixtures() {
  const ids = {
    admin: newId(), user: newId(), token: newId(), server: newId(), upstream: newId(), target1: newId(), target2: newId(),
    certificate: newId(), domain: newId(), rule: newId(), alert: newId(), silence: newId(), task: newId(),
  };
  const plain = {
    adminPassword: 'old-admin-password-1',
    apiToken: `gh_${crypto.randomBytes(30).toString('base64url')}`,
    sshPassword: 'old-ssh-secret-1',
    botToken: '123456:ABC-old-bot-token-abcdefghijk',
    certificateKey: '-----BEGIN PRIVATE KEY-----\nold-key\n-----END PRIVATE KEY-----\n',
  };
  const silenceEnds = new Date(Date.now() + 7 * 86_400_000);
  // In foreign-key order.
  const tables: Array<[FixtureTable, Row[]]> = [
    ['users', [
      { id: ids.admin, email: 'old-admin@example.test', name: 'Old Admin', role: 'admin', passwordHash: bcrypt.hashSync(plain.adminPassword, 4), active: true, sessionVersion: 2, lastLoginAt: T1, createdAt: T0, updatedAt: T1 },
      { id: ids.user, email: 'old-user@example.test', name: 'Old User', role: 'user', passwordHash: bcrypt.hashSync('old-user-password-1', 4), active: true, sessionVersion: 0, createdAt: T0, updatedAt: T0 },
    ]],
    ['apiTokens', [{ id: ids.token, userId: ids.admin, name: 'old automation', tokenHash: hashToken(plain.apiToken), prefix: plain.apiToken.slice(0, 10), createdAt: T0 }]],
    ['settings', [
      { key: 'settings.monitoring', value: { intervalSeconds: 45, downAfterFailures: 4, upAfterSuccesses: 3, dnsIntervalMinutes: 90 }, updatedAt: T1 },
      { key: 'settings.telegram', value: { chatId: '-100123456', threadId: 7, enabled: true }, secret: seal(plain.botToken), updatedAt: T1 },
    ]],
    ['servers', [{
      id: ids.server, name: 'old-web-1', host: '10.1.2.3', sshPort: 2222, sshUser: 'deploy', authMethod: 'password', passwordEnc: seal(plain.sshPassword),
      hostKeyFingerprint: 'SHA256:oldpinnedkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', glancesUrl: 'http://10.1.2.3:61208', glancesApiVersion: 4, monitoringEnabled: true,
      status: 'up', consecutiveSuccesses: 5, lastSeenAt: T1, lastSample: { at: T1.toISOString(), apiVersion: 4, cpu: 12.5, memory: 40, swap: 0, disk: 55, disks: [{ mount: '/', percent: 55 }], load1: 0.3, load5: 0.2, load15: 0.1, netRx: 10, netTx: 20, missing: [] },
      os: 'Debian GNU/Linux 12 (bookworm)', osFamily: 'debian', nginxStatus: 'running', nginxVersion: '1.22.1', createdAt: T0, updatedAt: T1,
    }]],
    ['serverShares', [{ serverId: ids.server, userId: ids.user }]],
    ['upstreams', [{ id: ids.upstream, name: 'old-app', method: 'least_conn', keepalive: 16, healthCheck: { type: 'http', path: '/healthz' }, createdAt: T0, updatedAt: T0 }]],
    ['upstreamTargets', [
      { id: ids.target1, upstreamId: ids.upstream, position: 0, host: '10.9.0.1', port: 8080, weight: 3, backup: false, maxFails: 2, failTimeoutSeconds: 15, healthStatus: 'up' },
      { id: ids.target2, upstreamId: ids.upstream, position: 1, host: '10.9.0.2', port: 8081, weight: 1, backup: true, maxFails: 1, failTimeoutSeconds: 10, healthStatus: 'down' },
    ]],
    ['certificates', [{
      id: ids.certificate, source: 'custom', status: 'valid', names: ['old.example.test', 'www.old.example.test'], issuer: 'Old Test CA', notBefore: T0,
      notAfter: at('2027-01-02T03:04:05.000Z'), fingerprint: 'AB:CD:EF', privateKeyEnc: seal(plain.certificateKey), renewAttempts: 0, createdAt: T0, updatedAt: T0,
    }]],
    ['domains', [{
      id: ids.domain, fqdn: 'old.example.test', aliases: ['www.old.example.test'], serverId: ids.server, upstreamId: ids.upstream, sslMode: 'custom', certificateId: ids.certificate,
      forceHttps: true, hsts: true, http2: true, websocket: true, clientMaxBodySize: '10m', customDirectives: '', expectedNameservers: ['ns1.example.test', 'ns2.example.test'],
      status: 'deployed', nsStatus: 'ok', nsFound: ['ns1.example.test', 'ns2.example.test'], nsCheckedAt: T1, deployedAt: T1, createdAt: T0, updatedAt: T1,
    }]],
    ['alertRules', [{ id: ids.rule, kind: 'cpu', threshold: 70, durationSeconds: 120, severity: 'critical', enabled: true, serverId: ids.server, reminderMinutes: 30, createdAt: T0, updatedAt: T0 }]],
    ['alerts', [{
      id: ids.alert, ruleId: ids.rule, kind: 'cpu', severity: 'critical', key: `cpu:server:${ids.server}`, subjectType: 'server', subjectId: ids.server, subjectName: 'old-web-1',
      serverId: ids.server, state: 'firing', value: 93.5, pendingSince: T0, startedAt: T1, silenced: false,
    }]],
    ['silences', [{ id: ids.silence, serverId: ids.server, startsAt: T0, endsAt: silenceEnds, reason: 'old maintenance window', createdBy: ids.admin, createdAt: T0 }]],
    ['tasks', [{
      id: ids.task, kind: 'server.deploy', status: 'succeeded', progress: 100, serverId: ids.server, createdBy: ids.admin, input: { reason: 'upgrade test' }, result: { files: 3 },
      createdAt: T0, startedAt: T0, finishedAt: T1,
    }]],
    ['taskLogs', [
      { taskId: ids.task, seq: 1, at: T0, stream: 'info', text: 'Deploying 3 files' },
      { taskId: ids.task, seq: 2, at: T1, stream: 'stdout', text: 'nginx: configuration file test is successful' },
    ]],
  ];
  return { ids, plain, silenceEnds, tables: new Map(tables), T0, T1 };
}
export type Fixtures = ReturnType<typeof makeFixtures>;

interface DbColumn {
  name: string;
  notNull: boolean;
  hasDefault: boolean;
  type: string;
}

/** The columns of `table` in the database as it is now, or null when the table does not exist. */
async function columnsInDb(table: string): Promise<Map<string, DbColumn> | null> {
  const raw = rawDb();
  let cols: DbColumn[];
  if (raw.dialect === 'sqlite') {
    const rows = raw.sqlite!.prepare(`select name, "notnull" as nn, dflt_value as dflt, type, pk from pragma_table_info(?)`).all(table) as Array<{ name: string; nn: number; dflt: unknown; type: string; pk: number }>;
    cols = rows.map((r) => ({ name: r.name, notNull: r.nn === 1 || r.pk > 0, hasDefault: r.dflt !== null, type: r.type.toLowerCase() }));
  } else {
    const rows = await raw.pg!`select column_name, is_nullable, column_default, data_type, is_identity from information_schema.columns where table_schema = current_schema() and table_name = ${table}`;
    cols = rows.map((r) => ({ name: r.column_name, notNull: r.is_nullable === 'NO', hasDefault: r.column_default !== null || r.is_identity === 'YES', type: String(r.data_type) }));
  }
  return cols.length ? new Map(cols.map((c) => [c.name, c])) : null;
}

/** A neutral value of an SQL type, for a NOT NULL column without a default that the fixture does not know. */
function neutral(type: string, dialect: 'sqlite' | 'postgres'): unknown {
  if (/bool/.test(type)) return dialect === 'sqlite' ? 0 : false;
  if (/int|real|double|numeric|float/.test(type)) return 0;
  if (/timestamp/.test(type)) return new Date().toISOString();
  if (/json/.test(type)) return '{}';
  return '';
}

export interface InsertReport {
  /** Tables that existed and got their rows. */
  inserted: Set<FixtureTable>;
  /** Tables of the fixture that this schema does not have yet. */
  skipped: FixtureTable[];
  /** `table.column` given a neutral value (present in the old schema, unknown to the newest). */
  filled: string[];
}

/** Writes every fixture row whose table exists in the database's current schema. */
export async function insertAvailable(fx: Fixtures): Promise<InsertReport> {
  const { t, dialect } = getDb();
  const report: InsertReport = { inserted: new Set(), skipped: [], filled: [] };
  for (const [name, rows] of fx.tables) {
    const table = t[name] as unknown as Parameters<typeof getTableColumns>[0];
    const sqlName = getTableName(table as never);
    const inDb = await columnsInDb(sqlName);
    if (!inDb) {
      report.skipped.push(name);
      continue;
    }
    const known = new Map(Object.entries(getTableColumns(table)).map(([prop, col]) => [col.name, { prop, col }]));
    for (const row of rows) {
      const names: string[] = [];
      const values: unknown[] = [];
      for (const c of inDb.values()) {
        const k = known.get(c.name);
        if (k && k.prop in row && row[k.prop] !== undefined) {
          const v = row[k.prop];
          names.push(c.name);
          values.push(v === null ? null : k.col.mapToDriverValue(v));
        } else if (!k && c.notNull && !c.hasDefault) {
          names.push(c.name);
          values.push(neutral(c.type, dialect));
          report.filled.push(`${sqlName}.${c.name}`);
        }
      }
      await executeSql(
        sql`insert into ${sql.identifier(sqlName)} (${sql.join(names.map((n) => sql.identifier(n)), sql`, `)}) values (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`,
      );
    }
    report.inserted.add(name);
  }
  return report;
}
