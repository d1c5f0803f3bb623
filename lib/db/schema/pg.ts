/**
 * PostgreSQL schema: the same tables, column names and JS types as lib/db/schema/sqlite.ts.
 */
import {
  pgTable, text, integer, bigint, doublePrecision, boolean, timestamp, jsonb, primaryKey, index, uniqueIndex,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import type { NginxLayoutSetting } from '../../nginx/layout';
import type { DomainLocationSetting } from './sqlite';

const id = () => text('id').primaryKey();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bool = (name: string) => boolean(name);
const json = <T>(name: string) => jsonb(name).$type<T>();
const serial = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();
const real = (name: string) => doublePrecision(name);

// ---- foundation -------------------------------------------------------------------------------

export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  role: text('role', { enum: ['admin', 'user'] }).notNull().default('user'),
  passwordHash: text('password_hash').notNull(),
  active: bool('active').notNull().default(true),
  sessionVersion: integer('session_version').notNull().default(0),
  lastLoginAt: ts('last_login_at'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
  /** Two-factor sign-in: the TOTP secret (sealed), set once enrolment is confirmed. */
  totpSecretEnc: text('totp_secret_enc'),
  /** An enrolment started but not yet confirmed with a code (sealed). */
  totpPendingEnc: text('totp_pending_enc'),
  /** The last TOTP time step used to sign in: the same code is not taken twice. */
  totpLastStep: integer('totp_last_step'),
  totpEnabledAt: ts('totp_enabled_at'),
  /** How the account signs in: `password`, or `oidc` (created by single sign-on; no password until the CLI sets one). */
  authProvider: text('auth_provider', { enum: ['password', 'oidc'] }).notNull().default('password'),
  /** The OpenID provider's `sub` for this account, once it signed in through it (linking). */
  oidcSubject: text('oidc_subject').unique(),
});

/** One-time recovery codes for two-factor sign-in, stored as bcrypt hashes. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

export const authFailures = pgTable(
  'auth_failures',
  {
    id: serial(),
    key: text('key').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('auth_failures_key_at_idx').on(t.key, t.at)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    at: ts('at').notNull(),
    actorId: text('actor_id'),
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    address: text('address'),
    details: json<Record<string, unknown>>('details'),
  },
  (t) => [index('audit_events_at_idx').on(t.at)],
);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: json<unknown>('value'),
  secret: text('secret'),
  updatedAt: ts('updated_at').notNull(),
});

// ---- servers and tasks ------------------------------------------------------------------------


export const servers = pgTable('servers', {
  id: id(),
  name: text('name').notNull().unique(),
  host: text('host').notNull(),
  sshPort: integer('ssh_port').notNull().default(22),
  sshUser: text('ssh_user').notNull().default('root'),
  authMethod: text('auth_method', { enum: ['password', 'key'] }).notNull(),
  passwordEnc: text('password_enc'),
  privateKeyEnc: text('private_key_enc'),
  passphraseEnc: text('passphrase_enc'),
  hostKeyFingerprint: text('host_key_fingerprint'),
  /** The fingerprint a refused connection presented, shown beside the pinned one. */
  offeredHostKeyFingerprint: text('offered_host_key_fingerprint'),
  glancesUrl: text('glances_url'),
  glancesUsername: text('glances_username'),
  glancesPasswordEnc: text('glances_password_enc'),
  glancesApiVersion: integer('glances_api_version'),
  monitoringEnabled: bool('monitoring_enabled').notNull().default(true),
  status: text('status', { enum: ['unknown', 'up', 'down'] }).notNull().default('unknown'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  consecutiveSuccesses: integer('consecutive_successes').notNull().default(0),
  lastSeenAt: ts('last_seen_at'),
  lastError: text('last_error'),
  /** Latest normalised sample (per-mount disks etc.), for the fleet grid and alert rules. */
  lastSample: json<Record<string, unknown>>('last_sample'),
  os: text('os'),
  osFamily: text('os_family'),
  nginxStatus: text('nginx_status', { enum: ['unknown', 'missing', 'installed', 'running'] }).notNull().default('unknown'),
  nginxVersion: text('nginx_version'),
  nginxPaths: json<NginxLayoutSetting>('nginx_paths'),
  /** Lower-case labels (`[a-z0-9][a-z0-9-]{0,31}`), sorted and unique; `GET /servers?tag=` filters on them. */
  tags: json<string[]>('tags').notNull().default(sql`'[]'::jsonb`),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const serverShares = pgTable(
  'server_shares',
  {
    serverId: text('server_id').notNull().references(() => servers.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    /** `view`: read-only; `operate`: test, install, deploy, its domains and silences (lib/access/rbac.ts). */
    level: text('level', { enum: ['view', 'operate'] }).notNull().default('view'),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.userId] }), index('server_shares_user_idx').on(t.userId)],
);

export const tasks = pgTable(
  'tasks',
  {
    id: id(),
    kind: text('kind').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'interrupted'] }).notNull().default('queued'),
    progress: integer('progress').notNull().default(0),
    serverId: text('server_id').references(() => servers.id, { onDelete: 'cascade' }),
    domainId: text('domain_id'),
    createdBy: text('created_by'),
    input: json<Record<string, unknown>>('input'),
    result: json<Record<string, unknown>>('result'),
    error: text('error'),
    claimedBy: text('claimed_by'),
    heartbeatAt: ts('heartbeat_at'),
    createdAt: ts('created_at').notNull(),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('tasks_status_idx').on(t.status, t.createdAt), index('tasks_server_idx').on(t.serverId)],
);

export const taskLogs = pgTable(
  'task_logs',
  {
    id: serial(),
    taskId: text('task_id').notNull().references(() => tasks.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    at: ts('at').notNull(),
    stream: text('stream', { enum: ['stdout', 'stderr', 'info'] }).notNull(),
    text: text('text').notNull(),
  },
  (t) => [uniqueIndex('task_logs_task_seq_idx').on(t.taskId, t.seq)],
);

export const events = pgTable(
  'events',
  {
    id: serial(),
    at: ts('at').notNull(),
    type: text('type').notNull(),
    data: json<Record<string, unknown>>('data').notNull(),
    /** Who may see it: null serverId means admins only, unless `everyone`. */
    serverId: text('server_id'),
    userId: text('user_id'),
    everyone: bool('everyone').notNull().default(false),
  },
  (t) => [index('events_at_idx').on(t.at)],
);

// ---- proxy configuration ----------------------------------------------------------------------

export const upstreams = pgTable('upstreams', {
  id: id(),
  name: text('name').notNull().unique(),
  method: text('method', { enum: ['round_robin', 'least_conn', 'ip_hash'] }).notNull().default('round_robin'),
  keepalive: integer('keepalive'),
  healthCheck: json<{ type: 'none' | 'http' | 'tcp'; path?: string; intervalSeconds?: number }>('health_check'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const upstreamTargets = pgTable(
  'upstream_targets',
  {
    id: id(),
    upstreamId: text('upstream_id').notNull().references(() => upstreams.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    weight: integer('weight').notNull().default(1),
    backup: bool('backup').notNull().default(false),
    maxFails: integer('max_fails').notNull().default(1),
    failTimeoutSeconds: integer('fail_timeout_seconds').notNull().default(10),
    healthStatus: text('health_status', { enum: ['unknown', 'up', 'down'] }).notNull().default('unknown'),
    healthCheckedAt: ts('health_checked_at'),
    healthError: text('health_error'),
  },
  (t) => [index('upstream_targets_upstream_idx').on(t.upstreamId)],
);

export const templates = pgTable('templates', {
  id: id(),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: ['http', 'ssl'] }).notNull(),
  body: text('body').notNull(),
  builtin: bool('builtin').notNull().default(false),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const certificates = pgTable('certificates', {
  id: id(),
  source: text('source', { enum: ['custom', 'acme'] }).notNull(),
  status: text('status', { enum: ['pending', 'valid', 'failed', 'expired'] }).notNull().default('pending'),
  names: json<string[]>('names').notNull(),
  issuer: text('issuer'),
  notBefore: ts('not_before'),
  notAfter: ts('not_after'),
  fingerprint: text('fingerprint'),
  certificatePem: text('certificate_pem'),
  chainPem: text('chain_pem'),
  privateKeyEnc: text('private_key_enc'),
  domainId: text('domain_id'),
  lastError: text('last_error'),
  renewAttempts: integer('renew_attempts').notNull().default(0),
  renewedAt: ts('renewed_at'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Reusable access control for domains and locations: basic-auth users (hashes only) and address rules. */
export const accessLists = pgTable('access_lists', {
  id: id(),
  name: text('name').notNull().unique(),
  satisfy: text('satisfy', { enum: ['all', 'any'] }).notNull().default('all'),
  /** `[{username, hash}]`: the SHA-512 crypt hash of each password, never the password. */
  users: json<{ username: string; hash: string }[]>('users').notNull(),
  rules: json<{ action: 'allow' | 'deny'; source: string }[]>('rules').notNull(),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const domains = pgTable(
  'domains',
  {
    id: id(),
    fqdn: text('fqdn').notNull().unique(),
    aliases: json<string[]>('aliases').notNull(),
    serverId: text('server_id').notNull().references(() => servers.id, { onDelete: 'restrict' }),
    /** Null only when the domain redirects (`redirect`). */
    upstreamId: text('upstream_id').references(() => upstreams.id, { onDelete: 'restrict' }),
    templateId: text('template_id').references(() => templates.id, { onDelete: 'set null' }),
    /** A redirection host: `{url, code, preservePath}`; null proxies `/` to the upstream. */
    redirect: json<{ url: string; code: 301 | 302 | 307 | 308; preservePath: boolean }>('redirect'),
    accessListId: text('access_list_id').references(() => accessLists.id, { onDelete: 'restrict' }),
    /** Extra path prefixes (CONTRACT.md "Second wave"); their upstream and access list ids are checked in lib/proxy. */
    locations: json<DomainLocationSetting[]>('locations').notNull().default([]),
    sslMode: text('ssl_mode', { enum: ['none', 'custom', 'acme'] }).notNull().default('none'),
    certificateId: text('certificate_id').references(() => certificates.id, { onDelete: 'set null' }),
    forceHttps: bool('force_https').notNull().default(false),
    hsts: bool('hsts').notNull().default(false),
    http2: bool('http2').notNull().default(true),
    websocket: bool('websocket').notNull().default(false),
    clientMaxBodySize: text('client_max_body_size').notNull().default('1m'),
    customDirectives: text('custom_directives').notNull().default(''),
    /** Lower-case labels, sorted and unique (like servers.tags). */
    tags: json<string[]>('tags').notNull().default(sql`'[]'::jsonb`),
    expectedNameservers: json<string[]>('expected_nameservers').notNull(),
    nameserverPattern: text('nameserver_pattern'),
    accessLog: bool('access_log').notNull().default(true),
    errorLog: bool('error_log').notNull().default(true),
    status: text('status', { enum: ['pending', 'deployed', 'failed', 'drifted'] }).notNull().default('pending'),
    lastError: text('last_error'),
    nsStatus: text('ns_status', { enum: ['unknown', 'ok', 'mismatch', 'error'] }).notNull().default('unknown'),
    nsFound: json<string[]>('ns_found'),
    nsCheckedAt: ts('ns_checked_at'),
    deployedAt: ts('deployed_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('domains_server_idx').on(t.serverId)],
);

/** TCP/UDP forwarding: a port on a server (Nginx `stream {}`) to an upstream pool. */
export const streams = pgTable(
  'streams',
  {
    id: id(),
    serverId: text('server_id').notNull().references(() => servers.id, { onDelete: 'cascade' }),
    protocol: text('protocol', { enum: ['tcp', 'udp'] }).notNull(),
    listenPort: integer('listen_port').notNull(),
    upstreamId: text('upstream_id').notNull().references(() => upstreams.id, { onDelete: 'restrict' }),
    status: text('status', { enum: ['pending', 'deployed', 'failed'] }).notNull().default('pending'),
    lastError: text('last_error'),
    deployedAt: ts('deployed_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('streams_server_port_idx').on(t.serverId, t.protocol, t.listenPort)],
);

/** What was last deployed to a server, file by file: the base for drift checks and diffs. */
export const deployedFiles = pgTable(
  'deployed_files',
  {
    serverId: text('server_id').notNull().references(() => servers.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    sha256: text('sha256').notNull(),
    content: text('content').notNull(),
    deployedAt: ts('deployed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.path] })],
);

export const dnsChecks = pgTable(
  'dns_checks',
  {
    id: serial(),
    domainId: text('domain_id').notNull().references(() => domains.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    status: text('status', { enum: ['ok', 'mismatch', 'error'] }).notNull(),
    found: json<string[]>('found').notNull(),
    message: text('message'),
  },
  (t) => [index('dns_checks_domain_at_idx').on(t.domainId, t.at)],
);

// ---- monitoring -------------------------------------------------------------------------------

export const metricSamples = pgTable(
  'metric_samples',
  {
    id: serial(),
    serverId: text('server_id').notNull().references(() => servers.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    cpu: real('cpu'),
    memory: real('memory'),
    swap: real('swap'),
    disk: real('disk'),
    load1: real('load1'),
    load5: real('load5'),
    load15: real('load15'),
    netRx: real('net_rx'),
    netTx: real('net_tx'),
  },
  (t) => [index('metric_samples_server_at_idx').on(t.serverId, t.at)],
);

export const metricRollups = pgTable(
  'metric_rollups',
  {
    serverId: text('server_id').notNull().references(() => servers.id, { onDelete: 'cascade' }),
    resolution: text('resolution', { enum: ['5m', '1h'] }).notNull(),
    bucketStart: ts('bucket_start').notNull(),
    count: integer('count').notNull(),
    cpuAvg: real('cpu_avg'),
    cpuMax: real('cpu_max'),
    memoryAvg: real('memory_avg'),
    memoryMax: real('memory_max'),
    diskAvg: real('disk_avg'),
    diskMax: real('disk_max'),
    load1Avg: real('load1_avg'),
    load1Max: real('load1_max'),
    load5Avg: real('load5_avg'),
    load15Avg: real('load15_avg'),
    netRxAvg: real('net_rx_avg'),
    netTxAvg: real('net_tx_avg'),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.resolution, t.bucketStart] })],
);

// ---- alerting ---------------------------------------------------------------------------------

export const alertRules = pgTable('alert_rules', {
  id: id(),
  kind: text('kind').notNull(),
  threshold: real('threshold'),
  durationSeconds: integer('duration_seconds').notNull().default(0),
  severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull().default('warning'),
  enabled: bool('enabled').notNull().default(true),
  /** null: applies to every server (a per-server rule of the same kind overrides it). */
  serverId: text('server_id').references(() => servers.id, { onDelete: 'cascade' }),
  reminderMinutes: integer('reminder_minutes'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    ruleId: text('rule_id').references(() => alertRules.id, { onDelete: 'set null' }),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    /** One open incident per key (rule kind + subject). */
    key: text('key').notNull(),
    subjectType: text('subject_type', { enum: ['server', 'domain', 'upstream', 'certificate'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    subjectName: text('subject_name').notNull(),
    serverId: text('server_id').references(() => servers.id, { onDelete: 'cascade' }),
    domainId: text('domain_id'),
    state: text('state', { enum: ['pending', 'firing', 'resolved'] }).notNull(),
    value: real('value'),
    pendingSince: ts('pending_since').notNull(),
    clearSince: ts('clear_since'),
    startedAt: ts('started_at'),
    resolvedAt: ts('resolved_at'),
    lastNotifiedAt: ts('last_notified_at'),
    silenced: bool('silenced').notNull().default(false),
  },
  (t) => [index('alerts_key_state_idx').on(t.key, t.state), index('alerts_state_idx').on(t.state, t.startedAt)],
);

export const silences = pgTable('silences', {
  id: id(),
  serverId: text('server_id').references(() => servers.id, { onDelete: 'cascade' }),
  domainId: text('domain_id').references(() => domains.id, { onDelete: 'cascade' }),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at').notNull(),
  reason: text('reason').notNull().default(''),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull(),
});

/** The durable outbox: a message is a row until Telegram accepted it. */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    alertId: text('alert_id'),
    channel: text('channel').notNull().default('telegram'),
    kind: text('kind', { enum: ['fired', 'resolved', 'reminder', 'test', 'info'] }).notNull(),
    text: text('text').notNull(),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'held', 'dead'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    claimedAt: ts('claimed_at'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('notifications_status_next_idx').on(t.status, t.nextAttemptAt)],
);

// ---- instances (scale-out on PostgreSQL) ------------------------------------------------------

/** One row per running Gatehouse process: its heartbeat, whether it leads and whether it polls. */
export const instances = pgTable('instances', {
  id: text('id').primaryKey(),
  startedAt: ts('started_at').notNull(),
  lastSeenAt: ts('last_seen_at').notNull(),
  leader: bool('leader').notNull().default(false),
  /** SCHEDULER=on: it runs background jobs and takes a share of the polling. */
  scheduler: bool('scheduler').notNull().default(true),
  /** Set by a graceful shutdown: gone at once, not only after its heartbeat went stale. */
  stoppedAt: ts('stopped_at'),
});

/** Which instance polls a server: a lease it renews while alive (PostgreSQL; unused on SQLite). */
export const pollLeases = pgTable(
  'poll_leases',
  {
    serverId: text('server_id').primaryKey().references(() => servers.id, { onDelete: 'cascade' }),
    instanceId: text('instance_id'),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('poll_leases_instance_idx').on(t.instanceId, t.expiresAt)],
);
