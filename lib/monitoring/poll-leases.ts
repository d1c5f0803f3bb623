import { rawDb } from '../db';
import { INSTANCE_STALE_MS } from '../lifecycle';

/**
 * Shared polling on PostgreSQL: every server has a row in `poll_leases` naming the instance that
 * polls it and until when. A living instance keeps renewing its leases; each balancing step it
 * gives back what it holds above its fair share (the monitored servers divided by the living
 * instances with SCHEDULER=on) and claims free or expired leases up to that share with
 * FOR UPDATE SKIP LOCKED, so two instances never claim the same server. A dead instance's leases
 * expire after `leaseMs` and the others take them over in their next step. All times are the
 * database's clock, never an instance's. SQLite has one instance: none of this runs there.
 */

/**
 * Lease length for a polling interval: half of it, 10 to 30 s. A living instance renews a lease
 * once it is half used (it balances every 2 s), so a short lease costs nothing; a dead instance's
 * servers are polled again after at most interval + lease + a balancing step: under two cycles.
 */
export function leaseMsFor(intervalMs: number): number {
  return Math.min(30_000, Math.max(10_000, Math.floor(intervalMs / 2)));
}

export interface BalanceResult {
  /** Leases this instance holds after the step. */
  held: number;
  /** Servers newly claimed in this step (the caller polls them at once). */
  claimed: string[];
  released: number;
  target: number;
}

const MONITORED = `s.monitoring_enabled and s.glances_url is not null and btrim(s.glances_url) <> ''`;

function pg() {
  const { pg, dialect } = rawDb();
  if (dialect !== 'postgres' || !pg) throw new Error('poll leases are PostgreSQL-only');
  return pg;
}

/** Gives every monitored server its lease row (free until claimed). */
export async function ensureLeaseRows(): Promise<void> {
  const sql = pg();
  await sql.unsafe(`insert into poll_leases (server_id, instance_id, expires_at)
    select s.id, null, to_timestamp(0) from servers s
    where ${MONITORED} and not exists (select 1 from poll_leases l where l.server_id = s.id)
    on conflict (server_id) do nothing`);
}

/**
 * One balancing step for `instanceId` (see the module comment). An instance counts towards the
 * shares while its heartbeat is fresh and none of its leases has run out: a living one renews
 * them long before, so an expired lease means it died (or stalled), and its servers are taken
 * over at once instead of after its heartbeat goes stale.
 */
export async function balancePollLeases(instanceId: string, leaseMs: number): Promise<BalanceResult> {
  const sql = pg();
  const lease = `${Math.round(leaseMs)} milliseconds`;
  const half = `${Math.round(leaseMs / 2)} milliseconds`;
  // Renew only what is past half its lease: a row is written every leaseMs/2, not every step.
  await sql`update poll_leases set expires_at = now() + ${lease}::interval
    where instance_id = ${instanceId} and expires_at < now() + ${half}::interval`;
  const [counts] = await sql.unsafe(
    `select
       (select count(*) from servers s where ${MONITORED})::int as total,
       (select count(*) from instances i where i.scheduler and i.stopped_at is null
          and i.last_seen_at > now() - interval '${INSTANCE_STALE_MS} milliseconds' and i.id <> $1
          and not exists (select 1 from poll_leases x where x.instance_id = i.id and x.expires_at <= now()))::int as others,
       (select count(*) from poll_leases l join servers s on s.id = l.server_id
          where l.instance_id = $1 and l.expires_at > now() and ${MONITORED})::int as held`,
    [instanceId],
  );
  const total = Number(counts.total);
  const target = Math.ceil(total / (Number(counts.others) + 1));
  let held = Number(counts.held);
  let released = 0;
  if (held > target) {
    const rows = await sql`update poll_leases set instance_id = null, expires_at = now()
      where server_id in (select server_id from poll_leases where instance_id = ${instanceId}
        order by server_id desc limit ${held - target} for update skip locked)
      returning server_id`;
    released = rows.length;
    held -= released;
  }
  let claimed: string[] = [];
  if (held < target) {
    const rows = await sql.unsafe(
      `update poll_leases set instance_id = $1, expires_at = now() + $2::interval
       where server_id in (
         select l.server_id from poll_leases l join servers s on s.id = l.server_id
         where (l.instance_id is null or l.expires_at <= now()) and ${MONITORED}
         order by l.server_id limit $3
         for update of l skip locked)
       and (instance_id is null or expires_at <= now())
       returning server_id`,
      [instanceId, lease, target - held],
    );
    claimed = rows.map((r) => String(r.server_id));
    held += claimed.length;
  }
  return { held, claimed, released, target };
}

/** The servers this instance holds a live lease on. */
export async function heldServerIds(instanceId: string): Promise<Set<string>> {
  const sql = pg();
  const rows = await sql`select server_id from poll_leases where instance_id = ${instanceId} and expires_at > now()`;
  return new Set(rows.map((r) => String(r.server_id)));
}

/** Shutdown: gives this instance's leases back so the others take them at their next step. */
export async function releasePollLeases(instanceId: string): Promise<number> {
  const { dialect } = rawDb();
  if (dialect !== 'postgres') return 0;
  const rows = await pg()`update poll_leases set instance_id = null, expires_at = now() where instance_id = ${instanceId} returning server_id`;
  return rows.length;
}

/** Servers each instance polls now (live leases), for GET /instances. */
export async function leaseCounts(): Promise<Map<string, number>> {
  const rows = await pg().unsafe(`select l.instance_id, count(*)::int as n from poll_leases l join servers s on s.id = l.server_id
    where l.instance_id is not null and l.expires_at > now() and ${MONITORED} group by l.instance_id`);
  return new Map(rows.map((r) => [String(r.instance_id), Number(r.n)]));
}
