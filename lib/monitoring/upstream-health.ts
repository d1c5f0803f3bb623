import { asc, eq, inArray } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { NotFoundError } from '../errors';
import { publish } from '../events/bus';
import { probeHttp, probeTcp, type ProbeResult } from './target-probe';
import type { UpstreamCheckDto } from './schemas';
import { recordTargetHealth } from '../proxy/store';

/**
 * Health probes of upstream targets: an upstream whose healthCheck type is http or tcp has each
 * target probed every intervalSeconds by the job; `POST /upstreams/{id}/check` probes now (TCP
 * when the upstream has no check configured). A status change is published as `upstream.target`
 * (admins only: upstreams belong to no single server).
 */

type HealthCheck = { type: 'none' | 'http' | 'tcp'; path?: string; intervalSeconds?: number } | null;
type TargetRow = { id: string; upstreamId: string; host: string; port: number; healthStatus: 'unknown' | 'up' | 'down'; healthCheckedAt: Date | null };

export const DEFAULT_CHECK_INTERVAL_S = 30;
const PROBE_TIMEOUT_MS = 5_000;
const PROBE_CONCURRENCY = 16;

async function targetsOf(upstreamIds: string[]): Promise<TargetRow[]> {
  if (!upstreamIds.length) return [];
  const { db, t } = getDb();
  const u = t.upstreamTargets;
  return db
    .select({ id: u.id, upstreamId: u.upstreamId, host: u.host, port: u.port, healthStatus: u.healthStatus, healthCheckedAt: u.healthCheckedAt })
    .from(u)
    .where(inArray(u.upstreamId, upstreamIds))
    .orderBy(asc(u.upstreamId), asc(u.position));
}

function probe(target: TargetRow, check: { type: 'http' | 'tcp'; path?: string }): Promise<ProbeResult> {
  return check.type === 'http'
    ? probeHttp({ host: target.host, port: target.port, path: check.path || '/' }, { timeoutMs: PROBE_TIMEOUT_MS })
    : probeTcp({ host: target.host, port: target.port }, { timeoutMs: PROBE_TIMEOUT_MS });
}

interface Probed {
  target: TargetRow;
  result: ProbeResult;
  at: Date;
}

async function probeAll(jobs: Array<{ target: TargetRow; check: { type: 'http' | 'tcp'; path?: string } }>): Promise<Probed[]> {
  const out: Probed[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PROBE_CONCURRENCY, jobs.length) }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const result = await probe(job.target, job.check);
        out.push({ target: job.target, result, at: new Date() });
      }
    }),
  );
  return out;
}

async function saveProbes(probed: Probed[]): Promise<void> {
  if (!probed.length) return;
  await atomically(async (db) => {
    const { t } = getDb();
    for (const { target, result, at } of probed) {
      const status = result.up ? 'up' : 'down';
      await recordTargetHealth(target.id, { status, at, error: result.up ? null : result.message });
      if (status !== target.healthStatus) {
        await publish({
          type: 'upstream.target',
          data: { upstreamId: target.upstreamId, targetId: target.id, status, error: result.up ? null : result.message },
        });
      }
    }
  });
}

/** `POST /upstreams/{id}/check`: probes every target now and answers with the results. */
export async function checkUpstreamNow(actor: Actor, upstreamId: string): Promise<UpstreamCheckDto> {
  requireAdmin(actor);
  const { db, t } = getDb();
  const [upstream] = await db.select({ id: t.upstreams.id, healthCheck: t.upstreams.healthCheck }).from(t.upstreams).where(eq(t.upstreams.id, upstreamId));
  if (!upstream) throw new NotFoundError('Upstream');
  const hc = upstream.healthCheck as HealthCheck;
  const check = hc?.type === 'http' ? { type: 'http' as const, path: hc.path } : { type: 'tcp' as const };
  const targets = await targetsOf([upstreamId]);
  const probed = await probeAll(targets.map((target) => ({ target, check })));
  await saveProbes(probed);
  const byId = new Map(probed.map((p) => [p.target.id, p]));
  return {
    upstreamId,
    type: check.type,
    targets: targets.map((target) => {
      const p = byId.get(target.id)!;
      return {
        id: target.id,
        host: target.host,
        port: target.port,
        status: p.result.up ? 'up' : 'down',
        checkedAt: p.at.toISOString(),
        error: p.result.up ? null : p.result.message,
        latencyMs: p.result.latencyMs,
      };
    }),
  };
}

/** The job: probes the targets of every upstream with a check configured, when it is due. */
export async function checkDueUpstreams(now = Date.now()): Promise<{ probed: number }> {
  const { db, t } = getDb();
  const upstreams = (await db.select({ id: t.upstreams.id, healthCheck: t.upstreams.healthCheck }).from(t.upstreams)).filter(
    (u) => (u.healthCheck as HealthCheck)?.type === 'http' || (u.healthCheck as HealthCheck)?.type === 'tcp',
  );
  const checks = new Map(upstreams.map((u) => [u.id, u.healthCheck as NonNullable<HealthCheck>]));
  const targets = await targetsOf(upstreams.map((u) => u.id));
  const jobs = targets.flatMap((target) => {
    const hc = checks.get(target.upstreamId)!;
    const everyMs = Math.max(5, hc.intervalSeconds ?? DEFAULT_CHECK_INTERVAL_S) * 1000;
    // A little slack, so a check due just after the job's tick is not pushed a whole tick later.
    const due = !target.healthCheckedAt || now - target.healthCheckedAt.getTime() >= everyMs - 1_000;
    return due ? [{ target, check: { type: hc.type as 'http' | 'tcp', path: hc.path } }] : [];
  });
  await saveProbes(await probeAll(jobs));
  return { probed: jobs.length };
}
