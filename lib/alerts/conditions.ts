import { and, eq, gt, inArray, isNotNull, like, sql } from 'drizzle-orm';
import { getDb } from '../db';
import type { AlertKind } from './messages';
import { effectiveRule, thresholdOf, type AlertRuleRow, type RuleBook } from './rules';

/**
 * What every rule's subject looks like right now, read from the state other features keep in
 * the database (servers.lastSample/status/offeredHostKeyFingerprint, domains.nsStatus/status, certificates.notAfter,
 * upstream_targets.healthStatus, deploy tasks). Reading state rather than reacting to events
 * means a restart, a missed event or a second instance changes nothing: the next cycle sees the
 * same truth.
 */

/**
 * active: the rule's condition holds. clear: it is well clear of it (below the threshold minus
 * the hysteresis margin). hold: in the band between (neither opens nor closes anything).
 * unknown: no fresh data (a stale sample, a server that is down): nothing changes.
 * off: the rule is disabled for this subject: a pending incident is dropped, an open one closed quietly.
 */
export type ConditionStatus = 'active' | 'clear' | 'hold' | 'unknown' | 'off';

export interface Condition {
  key: string;
  kind: AlertKind;
  rule: AlertRuleRow;
  status: ConditionStatus;
  value: number | null;
  subject: { type: 'server' | 'domain' | 'upstream' | 'certificate'; id: string; name: string };
  serverId: string | null;
  domainId: string | null;
  /** For the message: the server's Gatehouse name, a domain, an upstream, a mount, a detail line. */
  serverName?: string;
  domainFqdn?: string;
  upstreamName?: string;
  mount?: string;
  detail?: string;
}

export interface CollectOptions {
  now: Date;
  /** A sample older than this says nothing about now (3 poll intervals by default). */
  staleAfterMs: number;
}

const PERCENT_KINDS = ['cpu', 'memory', 'disk'] as const;
const DEPLOY_LOOKBACK_MS = 30 * 86_400_000;

/**
 * Hysteresis: a metric incident closes only below threshold minus this margin (5 points for
 * percentages, a tenth of the threshold for load), so a value hovering at the threshold does
 * not open and close it on alternate polls.
 */
export function clearMargin(kind: AlertKind, threshold: number): number {
  if ((PERCENT_KINDS as readonly string[]).includes(kind)) return Math.min(5, threshold * 0.1);
  if (kind === 'load') return threshold * 0.1;
  return 0;
}

export function metricStatus(kind: AlertKind, value: number, threshold: number): ConditionStatus {
  if (value >= threshold) return 'active';
  return value < threshold - clearMargin(kind, threshold) ? 'clear' : 'hold';
}

const bool = (on: boolean): ConditionStatus => (on ? 'active' : 'clear');

interface SampleShape {
  at?: string;
  cpu?: number;
  memory?: number;
  disk?: number | null;
  disks?: Array<{ mount?: unknown; percent?: unknown }>;
  load1?: number;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Gathers conditions. Only what can change an incident is kept: a breach, or anything about a
 * key that has an open (pending or firing) incident. A fleet that is fine therefore costs a read
 * and a comparison per subject, not an object per subject and rule.
 */
class Collector {
  readonly out: Condition[] = [];
  constructor(
    readonly book: RuleBook,
    private readonly open: ReadonlySet<string> | null,
  ) {}

  rule(kind: AlertKind, serverId: string | null): AlertRuleRow | undefined {
    return effectiveRule(this.book, kind, serverId);
  }

  add(key: string, kind: AlertKind, serverId: string | null, status: ConditionStatus, build: () => Omit<Condition, 'key' | 'kind' | 'rule' | 'status' | 'serverId'>): void {
    const rule = this.rule(kind, serverId);
    if (!rule) return;
    const effective = rule.enabled ? status : 'off';
    if (effective !== 'active' && this.open && !this.open.has(key)) return;
    this.out.push({ key, kind, rule, status: effective, serverId, ...build() });
  }

  /** A measured value against the rule's threshold, with the hysteresis band. */
  metric(key: string, kind: AlertKind, serverId: string, raw: number | null, build: () => Omit<Condition, 'key' | 'kind' | 'rule' | 'status' | 'serverId' | 'value'>): void {
    const rule = this.rule(kind, serverId);
    const threshold = rule ? thresholdOf(rule) : null;
    const value = raw === null ? null : Math.round(raw * 100) / 100;
    const status: ConditionStatus = value === null || threshold === null ? 'unknown' : metricStatus(kind, value, threshold);
    this.add(key, kind, serverId, status, () => ({ ...build(), value }));
  }
}

/**
 * The conditions for every subject with an applicable rule. With `openKeys` (the keys of open
 * incidents), subjects that are fine and have nothing open are left out.
 */
export async function collectConditions(book: RuleBook, opts: CollectOptions & { openKeys?: ReadonlySet<string> }): Promise<Condition[]> {
  const c = new Collector(book, opts.openKeys ?? null);
  const serverNames = await collectServers(c, opts);
  await collectDomains(c, serverNames);
  await collectCertificates(c, opts, serverNames);
  await collectUpstreams(c, serverNames);
  await collectDeploys(c, opts, serverNames);
  return c.out;
}

async function collectServers(c: Collector, opts: CollectOptions): Promise<Map<string, string>> {
  const { db, t } = getDb();
  const rows = await db
    .select({
      id: t.servers.id, name: t.servers.name, status: t.servers.status, monitoringEnabled: t.servers.monitoringEnabled, lastSample: t.servers.lastSample,
      offeredHostKey: t.servers.offeredHostKeyFingerprint,
    })
    .from(t.servers);
  const names = new Map<string, string>();
  const now = opts.now.getTime();
  for (const s of rows) {
    names.set(s.id, s.name);
    const base = () => ({ subject: { type: 'server' as const, id: s.id, name: s.name }, domainId: null, serverName: s.name });
    // A refused host key (lib/servers/connection.ts) stays recorded until an admin trusts a key,
    // whether or not the server is monitored: SSH (deploys, installs) is blocked either way.
    c.add(`host_key_changed:server:${s.id}`, 'host_key_changed', s.id, bool(s.offeredHostKey !== null), () => ({ ...base(), value: null }));
    if (!s.monitoringEnabled) continue;
    c.add(`server_down:server:${s.id}`, 'server_down', s.id, s.status === 'unknown' ? 'unknown' : bool(s.status === 'down'), () => ({ ...base(), value: null }));

    const sample = (s.lastSample ?? null) as SampleShape | null;
    const at = sample?.at ? Date.parse(sample.at) : NaN;
    const fresh = s.status !== 'down' && Number.isFinite(at) && now - at <= opts.staleAfterMs;
    c.metric(`cpu:server:${s.id}`, 'cpu', s.id, fresh ? num(sample?.cpu) : null, base);
    c.metric(`memory:server:${s.id}`, 'memory', s.id, fresh ? num(sample?.memory) : null, base);
    c.metric(`load:server:${s.id}`, 'load', s.id, fresh ? num(sample?.load1) : null, base);
    // Each mount is its own incident; without per-mount data the fullest-mount figure stands in.
    const disks = Array.isArray(sample?.disks) ? sample.disks : [];
    let mounts = 0;
    for (const d of disks) {
      if (typeof d.mount !== 'string' || d.mount === '') continue;
      const mount = d.mount;
      mounts++;
      c.metric(`disk:server:${s.id}:${mount}`, 'disk', s.id, fresh ? num(d.percent) : null, () => ({ ...base(), mount }));
    }
    if (!mounts) c.metric(`disk:server:${s.id}`, 'disk', s.id, fresh ? num(sample?.disk) : null, base);
  }
  return names;
}

async function collectDomains(c: Collector, serverNames: Map<string, string>): Promise<void> {
  const { db, t } = getDb();
  const rows = await db
    .select({ id: t.domains.id, fqdn: t.domains.fqdn, serverId: t.domains.serverId, status: t.domains.status, nsStatus: t.domains.nsStatus, nsFound: t.domains.nsFound, lastError: t.domains.lastError })
    .from(t.domains);
  for (const d of rows) {
    const base = () => ({ subject: { type: 'domain' as const, id: d.id, name: d.fqdn }, domainId: d.id, serverName: serverNames.get(d.serverId), domainFqdn: d.fqdn, value: null });
    c.add(`ns_mismatch:domain:${d.id}`, 'ns_mismatch', d.serverId, d.nsStatus === 'unknown' ? 'unknown' : bool(d.nsStatus === 'mismatch'), () => ({
      ...base(),
      detail: d.nsFound?.length ? `Found: ${d.nsFound.slice(0, 6).join(', ')}` : undefined,
    }));
    const drifted = d.status === 'drifted';
    c.add(`config_drift:domain:${d.id}`, 'config_drift', d.serverId, bool(drifted), () => ({ ...base(), detail: drifted ? (d.lastError ?? undefined) : undefined }));
  }
}

async function collectCertificates(c: Collector, opts: CollectOptions, serverNames: Map<string, string>): Promise<void> {
  const { db, t } = getDb();
  const certs = await db
    .select({ id: t.certificates.id, names: t.certificates.names, notAfter: t.certificates.notAfter, domainId: t.certificates.domainId })
    .from(t.certificates)
    .where(isNotNull(t.certificates.notAfter));
  if (!certs.length) return;
  // A certificate matters while a domain serves it (or it was issued for one); its server is that domain's.
  const users = await db.select({ id: t.domains.id, serverId: t.domains.serverId, certificateId: t.domains.certificateId }).from(t.domains);
  const byCert = new Map<string, { id: string; serverId: string }>();
  const byId = new Map(users.map((d) => [d.id, d]));
  for (const d of users) if (d.certificateId && !byCert.has(d.certificateId)) byCert.set(d.certificateId, d);
  for (const cert of certs) {
    const domain = byCert.get(cert.id) ?? (cert.domainId ? byId.get(cert.domainId) : undefined);
    if (!domain) continue;
    const rule = c.rule('cert_expiry', domain.serverId);
    const window = rule ? (thresholdOf(rule) ?? 14) : 14;
    const days = (cert.notAfter!.getTime() - opts.now.getTime()) / 86_400_000;
    const name = cert.names[0] ?? 'certificate';
    c.add(`cert_expiry:certificate:${cert.id}`, 'cert_expiry', domain.serverId, bool(days <= window), () => ({
      subject: { type: 'certificate', id: cert.id, name }, domainId: domain.id, serverName: serverNames.get(domain.serverId), domainFqdn: name, value: Math.floor(days),
    }));
  }
}

/**
 * Only a pool with a health check (http or tcp) is watched: the job re-probes only those, so a
 * manual "Check now" on a pool without one (POST /upstreams/{id}/check) leaves a snapshot that
 * nothing would ever update, and an incident opened from it could never resolve. The check stays
 * useful on screen; for alerting such a pool is off (an open incident, e.g. from before its check
 * was switched off, closes without a message: nobody watches it any more).
 */
const isWatched = (check: { type?: string } | null) => check?.type === 'http' || check?.type === 'tcp';

async function collectUpstreams(c: Collector, serverNames: Map<string, string>): Promise<void> {
  const { db, t } = getDb();
  const targets = await db
    .select({ upstreamId: t.upstreamTargets.upstreamId, name: t.upstreams.name, check: t.upstreams.healthCheck, health: t.upstreamTargets.healthStatus })
    .from(t.upstreamTargets)
    .innerJoin(t.upstreams, eq(t.upstreams.id, t.upstreamTargets.upstreamId));
  if (!targets.length) return;
  const pools = new Map<string, { name: string; watched: boolean; down: number; total: number; checked: number }>();
  for (const r of targets) {
    const p = pools.get(r.upstreamId) ?? { name: r.name, watched: isWatched(r.check), down: 0, total: 0, checked: 0 };
    p.total++;
    if (r.health !== 'unknown') p.checked++;
    if (r.health === 'down') p.down++;
    pools.set(r.upstreamId, p);
  }
  // One incident per pool; it is visible to users of the (first) server whose domains use it.
  const used = await db.select({ upstreamId: t.domains.upstreamId, serverId: t.domains.serverId }).from(t.domains).orderBy(t.domains.serverId);
  const serverOf = new Map<string, string>();
  for (const u of used) if (u.upstreamId && !serverOf.has(u.upstreamId)) serverOf.set(u.upstreamId, u.serverId);
  for (const [id, p] of pools) {
    const serverId = serverOf.get(id) ?? null;
    const rule = c.rule('upstream_down', serverId);
    const min = rule ? (thresholdOf(rule) ?? 1) : 1;
    const status: ConditionStatus = !p.watched ? 'off' : p.checked === 0 ? 'unknown' : bool(p.down >= min);
    c.add(`upstream_down:upstream:${id}`, 'upstream_down', serverId, status, () => ({
      subject: { type: 'upstream', id, name: p.name }, domainId: null, serverName: serverId ? serverNames.get(serverId) : undefined, upstreamName: p.name,
      value: p.down, detail: p.down ? `${p.down} of ${p.total} target${p.total === 1 ? '' : 's'} down` : undefined,
    }));
  }
}

/**
 * A server's deploys have failed when its latest finished deploy task failed; a later success
 * clears it. Deploy tasks are recognised by kind (`deploy`, `server.deploy`, `domain.deploy`…).
 */
async function collectDeploys(c: Collector, opts: CollectOptions, serverNames: Map<string, string>): Promise<void> {
  const { db, t } = getDb();
  const since = new Date(opts.now.getTime() - DEPLOY_LOOKBACK_MS);
  const finished = and(like(t.tasks.kind, '%deploy%'), isNotNull(t.tasks.serverId), gt(t.tasks.finishedAt, since));
  const failed = await db
    .select({ serverId: t.tasks.serverId, error: t.tasks.error, finishedAt: t.tasks.finishedAt })
    .from(t.tasks)
    .where(and(finished, eq(t.tasks.status, 'failed')));
  const latestFailure = new Map<string, { at: number; error: string | null }>();
  for (const f of failed) {
    const at = f.finishedAt!.getTime();
    if ((latestFailure.get(f.serverId!)?.at ?? -1) < at) latestFailure.set(f.serverId!, { at, error: f.error });
  }
  const ids = [...latestFailure.keys()];
  const successes = ids.length
    ? await db
        .select({ serverId: t.tasks.serverId, at: sql<unknown>`max(${t.tasks.finishedAt})` })
        .from(t.tasks)
        .where(and(finished, eq(t.tasks.status, 'succeeded'), inArray(t.tasks.serverId, ids)))
        .groupBy(t.tasks.serverId)
    : [];
  const lastSuccess = new Map(successes.map((s) => [s.serverId!, toMs(s.at)]));
  for (const [serverId, name] of serverNames) {
    const failure = latestFailure.get(serverId);
    const active = failure !== undefined && failure.at > (lastSuccess.get(serverId) ?? -1);
    c.add(`deploy_failed:server:${serverId}`, 'deploy_failed', serverId, bool(active), () => ({
      subject: { type: 'server', id: serverId, name }, domainId: null, serverName: name, value: null, detail: active ? (failure!.error ?? undefined) : undefined,
    }));
  }
}

/** `max()` over a timestamp comes back as a number (SQLite) or a string/Date (PostgreSQL). */
function toMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return -1;
}
