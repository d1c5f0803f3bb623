/**
 * The proxy feature's rows (domains, upstream targets) where other features read or record
 * state on them: the certificates feature finds a domain, monitoring records name-server checks
 * and target health. The proxy owns these tables; nobody else writes them.
 */
import { eq } from 'drizzle-orm';
import { getDb } from '../db';

export type DomainRow = typeof import('../db/schema/sqlite').domains.$inferSelect;

export async function findDomain(id: string): Promise<DomainRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.domains).where(eq(t.domains.id, id)).limit(1);
  return row;
}

/** The latest name-server check of a domain (lib/monitoring, inside its transaction). */
export async function recordNameserverStatus(domainId: string, r: { status: DomainRow['nsStatus']; found: string[]; at: Date }): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.domains).set({ nsStatus: r.status, nsFound: r.found, nsCheckedAt: r.at }).where(eq(t.domains.id, domainId));
}

/** The latest health probe of an upstream target (lib/monitoring, inside its transaction). */
export async function recordTargetHealth(targetId: string, r: { status: 'up' | 'down'; at: Date; error: string | null }): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.upstreamTargets).set({ healthStatus: r.status, healthCheckedAt: r.at, healthError: r.error }).where(eq(t.upstreamTargets.id, targetId));
}

export interface DomainReference {
  domainId: string;
  fqdn: string;
  serverId: string;
}

/**
 * Domains whose file names an upstream or an access list, in `/` or in one of their locations
 * (locations live as JSON on the domain row, so this reads the rows and looks).
 */
export async function domainsReferencing(kind: 'upstream' | 'accessList', ids: string[]): Promise<Map<string, DomainReference[]>> {
  const out = new Map<string, DomainReference[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const { db, t } = getDb();
  const rows = await db
    .select({ id: t.domains.id, fqdn: t.domains.fqdn, serverId: t.domains.serverId, upstreamId: t.domains.upstreamId, accessListId: t.domains.accessListId, locations: t.domains.locations })
    .from(t.domains);
  for (const r of rows) {
    const own = kind === 'upstream' ? r.upstreamId : r.accessListId;
    const named = new Set([own, ...(r.locations ?? []).map((l) => (kind === 'upstream' ? (l.redirect ? null : l.upstreamId) : l.accessListId))]);
    for (const id of named) if (id && out.has(id)) out.get(id)!.push({ domainId: r.id, fqdn: r.fqdn, serverId: r.serverId });
  }
  for (const list of out.values()) list.sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1));
  return out;
}
