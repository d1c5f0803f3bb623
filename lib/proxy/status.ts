/**
 * Domain status changes, each published as `domain.updated {domainId,status}` to whoever may see
 * the domain's server. Call inside the change's transaction (events go out after commit).
 */
import { and, eq, inArray, lte, ne } from 'drizzle-orm';
import { getDb } from '../db';
import { publish } from '../events/bus';
import { domainsReferencing } from './store';

export type DomainStatus = 'pending' | 'deployed' | 'failed' | 'drifted';

export async function publishDomainStatus(d: { id: string; serverId: string; status: string }, extra: Record<string, unknown> = {}): Promise<void> {
  await publish({ type: 'domain.updated', serverId: d.serverId, data: { domainId: d.id, status: d.status, ...extra } });
}

/** Marks domains pending (their rendered file changes at the next deploy), skipping ones already so. */
export async function markDomainsPending(where: { upstreamId?: string; accessListId?: string; templateId?: string; ids?: string[] }): Promise<number> {
  const { db, t } = getDb();
  // Pools and access lists are also named by locations (JSON on the domain row).
  const refKind = where.upstreamId ? 'upstream' : where.accessListId ? 'accessList' : null;
  const refId = where.upstreamId ?? where.accessListId;
  const referencing = refKind && refId ? ((await domainsReferencing(refKind, [refId])).get(refId) ?? []).map((r) => r.domainId) : null;
  if (referencing && referencing.length === 0) return 0;
  const cond = referencing
    ? inArray(t.domains.id, referencing)
    : where.templateId
      ? eq(t.domains.templateId, where.templateId)
      : where.ids?.length
        ? inArray(t.domains.id, where.ids)
        : undefined;
  if (!cond) return 0;
  const rows = await db
    .update(t.domains)
    .set({ status: 'pending', updatedAt: new Date() })
    .where(and(cond, ne(t.domains.status, 'pending')))
    .returning({ id: t.domains.id, serverId: t.domains.serverId });
  for (const r of rows) await publishDomainStatus({ ...r, status: 'pending' });
  return rows.length;
}

export interface StatusChange {
  id: string;
  serverId: string;
}

/**
 * Sets the deploy outcome of domains, in batches. With `unchangedSince`, a domain edited after
 * that moment (while its deploy ran) keeps `pending`: what was deployed is no longer what the
 * database says.
 */
export async function setDomainsStatus(
  changes: StatusChange[],
  status: DomainStatus,
  opts: { lastError?: string | null; deployedAt?: Date; unchangedSince?: Date } = {},
): Promise<string[]> {
  const { db, t } = getDb();
  const serverOf = new Map(changes.map((c) => [c.id, c.serverId]));
  const ids = [...serverOf.keys()];
  const changed: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .update(t.domains)
      .set({ status, lastError: opts.lastError ?? null, ...(opts.deployedAt && { deployedAt: opts.deployedAt }) })
      .where(and(inArray(t.domains.id, ids.slice(i, i + 500)), opts.unchangedSince ? lte(t.domains.updatedAt, opts.unchangedSince) : undefined))
      .returning({ id: t.domains.id });
    changed.push(...rows.map((r) => r.id));
  }
  for (const id of changed) await publishDomainStatus({ id, serverId: serverOf.get(id)!, status });
  return changed;
}
