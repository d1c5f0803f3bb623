import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin, requireServerOperate, requireServerVisible } from '../access/rbac';
import { NotFoundError, parseInput } from '../errors';
import { listParams, type Page } from '../pagination';
import { publish } from '../events/bus';
import { getEffectiveSettings } from '../settings/service';
import { checkNameservers, type NsCheckResult } from './dns-check';
import type { DnsCheckDto, DnsCheckResultDto } from './schemas';
import { recordNameserverStatus, type DomainRow } from '../proxy/store';

/**
 * NS checks of domains, on demand and from the periodic job: each result is kept in dns_checks
 * (history), the domain's nsStatus/nsFound/nsCheckedAt are updated and a change is published as
 * `domain.updated`, visible to whoever sees the domain's server.
 */

/** The columns an NS check reads. */
type CheckedDomain = Pick<DomainRow, 'id' | 'fqdn' | 'serverId' | 'status' | 'expectedNameservers' | 'nameserverPattern' | 'nsStatus' | 'nsFound' | 'nsCheckedAt'>;

async function domainRows(where?: SQL): Promise<CheckedDomain[]> {
  const { db, t } = getDb();
  const d = t.domains;
  return db
    .select({ id: d.id, fqdn: d.fqdn, serverId: d.serverId, status: d.status, expectedNameservers: d.expectedNameservers, nameserverPattern: d.nameserverPattern, nsStatus: d.nsStatus, nsFound: d.nsFound, nsCheckedAt: d.nsCheckedAt })
    .from(d)
    .where(where);
}

async function visibleDomain(actor: Actor, domainId: string): Promise<CheckedDomain> {
  const { t } = getDb();
  const [row] = await domainRows(eq(t.domains.id, domainId));
  if (!row) throw new NotFoundError('Domain');
  await requireServerVisible(actor, row.serverId, 'Domain');
  return row;
}

async function runCheck(domain: CheckedDomain, resolvers: string[]): Promise<NsCheckResult> {
  return checkNameservers(domain.fqdn, {
    resolvers,
    expected: { nameservers: domain.expectedNameservers, pattern: domain.nameserverPattern },
  });
}

/** Stores one result; publishes `domain.updated` when the status or the names changed (or `always`). */
async function saveResult(domain: CheckedDomain, result: NsCheckResult, at: Date, always: boolean): Promise<void> {
  const changed = domain.nsStatus !== result.status || JSON.stringify(domain.nsFound ?? []) !== JSON.stringify(result.found);
  await atomically(async (db) => {
    const { t } = getDb();
    await db.insert(t.dnsChecks).values({ domainId: domain.id, at, status: result.status, found: result.found, message: result.message });
    await recordNameserverStatus(domain.id, { status: result.status, found: result.found, at });
    if (changed || always) {
      await publish({
        type: 'domain.updated',
        serverId: domain.serverId,
        data: { domainId: domain.id, status: domain.status, nsStatus: result.status },
      });
    }
  });
}

function toResultDto(domainId: string, r: NsCheckResult, at: Date): DnsCheckResultDto {
  return { domainId, status: r.status, zone: r.zone, found: r.found, message: r.message, checkedAt: at.toISOString(), perResolver: r.perResolver };
}

/** `POST /domains/{id}/check-dns`: checks now and answers with the result. Admins and operators of its server. */
export async function checkDomainDns(actor: Actor, domainId: string): Promise<DnsCheckResultDto> {
  const domain = await visibleDomain(actor, domainId);
  await requireServerOperate(actor, domain.serverId, 'Domain');
  const { dns } = await getEffectiveSettings();
  const result = await runCheck(domain, dns.servers);
  const at = new Date();
  await saveResult(domain, result, at, true);
  return toResultDto(domain.id, result, at);
}

/** `GET /domains/{id}/dns-checks`: newest first, by cursor. */
export async function listDnsChecks(actor: Actor, domainId: string, query: unknown): Promise<Page<DnsCheckDto>> {
  const { limit, cursor } = parseInput(listParams, query);
  await visibleDomain(actor, domainId);
  const { db, t } = getDb();
  const c = t.dnsChecks;
  const before = cursor && /^\d+$/.test(cursor) ? lt(c.id, Number(cursor)) : undefined;
  const rows = await db
    .select()
    .from(c)
    .where(before ? and(eq(c.domainId, domainId), before) : eq(c.domainId, domainId))
    .orderBy(desc(c.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return {
    items: kept.map((r) => ({ id: String(r.id), at: r.at.toISOString(), status: r.status, found: r.found, message: r.message })),
    nextCursor: more ? String(kept[kept.length - 1].id) : null,
  };
}

const DNS_CONCURRENCY = 8;

/** The periodic job: every domain whose last check is older than the interval. */
export async function checkAllDomains(now = new Date(), force = false): Promise<{ checked: number }> {
  const settings = await getEffectiveSettings();
  const dueBefore = now.getTime() - settings.monitoring.dnsIntervalMinutes * 60_000 + 30_000;
  const due = (await domainRows()).filter((d) => force || !d.nsCheckedAt || d.nsCheckedAt.getTime() <= dueBefore);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(DNS_CONCURRENCY, due.length) }, async () => {
      while (next < due.length) {
        const domain = due[next++];
        try {
          const result = await runCheck(domain, settings.dns.servers);
          await saveResult(domain, result, new Date(), false);
        } catch (err) {
          console.error('[gatehouse] NS check failed:', (err as Error).message);
        }
      }
    }),
  );
  return { checked: due.length };
}
