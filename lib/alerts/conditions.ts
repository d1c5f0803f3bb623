import { and, eq, gt, inArray, isNotNull, like, sql } from 'drizzle-orm';
import { getDb } from '../db';
import type { AlertKind } from './messages';
import { effectiveRule, thresholdOf, type AlertRuleRow, type RuleBook } from './rules';

/**
 * What every rule's subject looks like right now, read from the state other features keep in
 * the database (servers.lastSample/status, domains.nsStatus/status, certificates.notAfter,
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

/** Every condition, for every subject with an applicable rule. */
export async function collectConditions(book: RuleBook, opts: CollectOptions): Promise<Condition[]> {
  const out: Condition[] = [];
  const serverNames = await collectServers(book, opts, out);
  await collectDomains(book, serverNames, out);
  await collectCertificates(book, opts, serverNames, out);
  await collectUpstreams(book, serverNames, out);
  await collectDeploys(book, opts, serverNames, out);
  return out;
}

function push(out: Condition[], book: RuleBook, c: Omit<Condition, 'rule' | 'status'> & { status: ConditionStatus }): void {
  const rule = effectiveRule(book, c.kind, c.serverId);
  if (!rule) return;
  out.push({ ...c, rule, status: rule.enabled ? c.status : 'off' });
}

async function collectServers(book: RuleBook, opts: CollectOptions, out: Condition[]): Promise<Map<string, string>> {
  const { db, t } = getDb();
  const rows = await db
    .select({ id: t.servers.id, name: t.servers.name, status: t.servers.status, monitoringEnabled: t.servers.monitoringEnabled, lastSample: t.servers.lastSample })
    .from(t.servers);
  const names = new Map<string, string>();
  for (const s of rows) {
    names.set(s.id, s.name);
    const base = { subject: { type: 'server' as const, id: s.id, name: s.name }, serverId: s.id, domainId: null, serverName: s.name };
    if (!s.monitoringEnabled) continue;
    push(out, book, { ...base, key: `server_down:server:${s.id}`, kind: 'server_down', value: null, status: s.status === 'unknown' ? 'unknown' : bool(s.status === 'down') });

    const sample = (s.lastSample ?? null) as SampleShape | null;
    const at = sample?.at ? Date.parse(sample.at) : NaN;
    const fresh = s.status !== 'down' && Number.isFinite(at) && opts.now.getTime() - at <= opts.staleAfterMs;
    for (const kind of ['cpu', 'memory', 'load'] as const) {
      const value = fresh ? num(kind === 'load' ? sample?.load1 : sample?.[kind]) : null;
      metric(out, book, { ...base, key: `${kind}:server:${s.id}`, kind, value });
    }
    // Each mount is its own incident; without per-mount data the fullest-mount figure stands in.
    const disks = (Array.isArray(sample?.disks) ? sample.disks : [])
      .map((d) => ({ mount: typeof d.mount === 'string' ? d.mount : '', percent: num(d.percent) }))
      .filter((d) => d.mount !== '');
    if (disks.length) {
      for (const d of disks) metric(out, book, { ...base, key: `disk:server:${s.id}:${d.mount}`, kind: 'disk', value: fresh ? d.percent : null, mount: d.mount });
    } else {
      metric(out, book, { ...base, key: `disk:server:${s.id}`, kind: 'disk', value: fresh ? num(sample?.disk) : null });
    }
  }
  return names;
}

function metric(out: Condition[], book: RuleBook, c: Omit<Condition, 'rule' | 'status'>): void {
  const rule = effectiveRule(book, c.kind, c.serverId);
  const threshold = rule ? thresholdOf(rule) : null;
  const status: ConditionStatus = c.value === null || threshold === null ? 'unknown' : metricStatus(c.kind, c.value, threshold);
  push(out, book, { ...c, value: c.value === null ? null : Math.round(c.value * 100) / 100, status });
}

async function collectDomains(book: RuleBook, serverNames: Map<string, string>, out: Condition[]): Promise<void> {
  const { db, t } = getDb();
  const rows = await db
    .select({ id: t.domains.id, fqdn: t.domains.fqdn, serverId: t.domains.serverId, status: t.domains.status, nsStatus: t.domains.nsStatus, nsFound: t.domains.nsFound, lastError: t.domains.lastError })
    .from(t.domains);
  for (const d of rows) {
    const base = { subject: { type: 'domain' as const, id: d.id, name: d.fqdn }, serverId: d.serverId, domainId: d.id, serverName: serverNames.get(d.serverId), domainFqdn: d.fqdn, value: null };
    const found = d.nsFound?.length ? `Found: ${d.nsFound.slice(0, 6).join(', ')}` : undefined;
    push(out, book, { ...base, key: `ns_mismatch:domain:${d.id}`, kind: 'ns_mismatch', status: d.nsStatus === 'unknown' ? 'unknown' : bool(d.nsStatus === 'mismatch'), detail: found });
    const drifted = d.status === 'drifted';
    push(out, book, { ...base, key: `config_drift:domain:${d.id}`, kind: 'config_drift', status: bool(drifted), detail: drifted ? (d.lastError ?? undefined) : undefined });
  }
}

async function collectCertificates(book: RuleBook, opts: CollectOptions, serverNames: Map<string, string>, out: Condition[]): Promise<void> {
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
  for (const c of certs) {
    const domain = byCert.get(c.id) ?? (c.domainId ? byId.get(c.domainId) : undefined);
    if (!domain) continue;
    const rule = effectiveRule(book, 'cert_expiry', domain.serverId);
    const window = rule ? (thresholdOf(rule) ?? 14) : 14;
    const days = (c.notAfter!.getTime() - opts.now.getTime()) / 86_400_000;
    const name = c.names[0] ?? 'certificate';
    push(out, book, {
      key: `cert_expiry:certificate:${c.id}`, kind: 'cert_expiry', subject: { type: 'certificate', id: c.id, name },
      serverId: domain.serverId, domainId: domain.id, serverName: serverNames.get(domain.serverId), domainFqdn: name,
      value: Math.floor(days), status: bool(days <= window),
    });
  }
}

async function collectUpstreams(book: RuleBook, serverNames: Map<string, string>, out: Condition[]): Promise<void> {
  const { db, t } = getDb();
  const targets = await db
    .select({ upstreamId: t.upstreamTargets.upstreamId, name: t.upstreams.name, health: t.upstreamTargets.healthStatus })
    .from(t.upstreamTargets)
    .innerJoin(t.upstreams, eq(t.upstreams.id, t.upstreamTargets.upstreamId));
  if (!targets.length) return;
  const pools = new Map<string, { name: string; down: number; total: number; checked: number }>();
  for (const r of targets) {
    const p = pools.get(r.upstreamId) ?? { name: r.name, down: 0, total: 0, checked: 0 };
    p.total++;
    if (r.health !== 'unknown') p.checked++;
    if (r.health === 'down') p.down++;
    pools.set(r.upstreamId, p);
  }
  // One incident per pool; it is visible to users of the (first) server whose domains use it.
  const used = await db.select({ upstreamId: t.domains.upstreamId, serverId: t.domains.serverId }).from(t.domains).orderBy(t.domains.serverId);
  const serverOf = new Map<string, string>();
  for (const u of used) if (!serverOf.has(u.upstreamId)) serverOf.set(u.upstreamId, u.serverId);
  for (const [id, p] of pools) {
    const serverId = serverOf.get(id) ?? null;
    const rule = effectiveRule(book, 'upstream_down', serverId);
    const min = rule ? (thresholdOf(rule) ?? 1) : 1;
    push(out, book, {
      key: `upstream_down:upstream:${id}`, kind: 'upstream_down', subject: { type: 'upstream', id, name: p.name },
      serverId, domainId: null, serverName: serverId ? serverNames.get(serverId) : undefined, upstreamName: p.name,
      value: p.down, status: p.checked === 0 ? 'unknown' : bool(p.down >= min),
      detail: p.down ? `${p.down} of ${p.total} target${p.total === 1 ? '' : 's'} down` : undefined,
    });
  }
}

/**
 * A server's deploys have failed when its latest finished deploy task failed; a later success
 * clears it. Deploy tasks are recognised by kind (`deploy`, `server.deploy`, `domain.deploy`…).
 */
async function collectDeploys(book: RuleBook, opts: CollectOptions, serverNames: Map<string, string>, out: Condition[]): Promise<void> {
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
    push(out, book, {
      key: `deploy_failed:server:${serverId}`, kind: 'deploy_failed', subject: { type: 'server', id: serverId, name },
      serverId, domainId: null, serverName: name, value: null, status: bool(active), detail: active ? (failure!.error ?? undefined) : undefined,
    });
  }
}

/** `max()` over a timestamp comes back as a number (SQLite) or a string/Date (PostgreSQL). */
function toMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return -1;
}
