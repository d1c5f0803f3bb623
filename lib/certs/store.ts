/**
 * Certificate queries: rows, DTOs and who may see what. A user sees a certificate when a domain
 * on a server shared with them serves it (or it was issued for such a domain), read-only.
 */
import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import { getDb } from '../db';
import type { Actor } from '../access/actor';
import { visibleServerIds } from '../access/rbac';
import { NotFoundError } from '../errors';
import { toPage } from '../pagination';
import type { CertificateDetailDto, CertificateDto, CertificateListParams } from './schemas';

export type CertificateRow = typeof import('../db/schema/sqlite').certificates.$inferSelect;

export interface DomainRef {
  id: string;
  fqdn: string;
  serverId: string;
  certificateId: string | null;
}

const DAY_MS = 86_400_000;

export const daysLeft = (notAfter: Date | null, now = Date.now()) => (notAfter ? Math.floor((notAfter.getTime() - now) / DAY_MS) : null);

export function toCertificateDto(row: CertificateRow, domains: DomainRef[]): CertificateDto {
  const expired = row.notAfter !== null && row.notAfter.getTime() <= Date.now();
  return {
    id: row.id,
    source: row.source,
    // "expired" is a fact of the clock; the daily job also writes it, but a read never lags.
    status: expired && row.status === 'valid' ? 'expired' : row.status,
    names: row.names,
    issuer: row.issuer,
    notBefore: row.notBefore?.toISOString() ?? null,
    notAfter: row.notAfter?.toISOString() ?? null,
    daysLeft: daysLeft(row.notAfter),
    fingerprint: row.fingerprint,
    domains: domains.filter((d) => d.certificateId === row.id).map((d) => ({ id: d.id, fqdn: d.fqdn })),
    domainId: row.domainId,
    lastError: row.lastError,
    renewAttempts: row.renewAttempts,
    renewedAt: row.renewedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toCertificateDetailDto(row: CertificateRow, domains: DomainRef[]): CertificateDetailDto {
  return { ...toCertificateDto(row, domains), certificatePem: row.certificatePem, chainPem: row.chainPem };
}

const domainRefColumns = () => {
  const { t } = getDb();
  return { id: t.domains.id, fqdn: t.domains.fqdn, serverId: t.domains.serverId, certificateId: t.domains.certificateId };
};

/** Domains serving any of these certificates. */
export async function domainsUsing(certificateIds: string[]): Promise<DomainRef[]> {
  if (certificateIds.length === 0) return [];
  const { db, t } = getDb();
  return db.select(domainRefColumns()).from(t.domains).where(inArray(t.domains.certificateId, certificateIds)).orderBy(asc(t.domains.fqdn));
}

export async function findCertificate(id: string): Promise<CertificateRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.certificates).where(eq(t.certificates.id, id)).limit(1);
  return row;
}


/** For a user: the domains on servers shared with them; null for admins (everything). */
async function visibleDomains(actor: Actor): Promise<DomainRef[] | null> {
  const servers = await visibleServerIds(actor);
  if (servers === null) return null;
  if (servers.length === 0) return [];
  const { db, t } = getDb();
  return db.select(domainRefColumns()).from(t.domains).where(inArray(t.domains.serverId, servers));
}

function visibleCertificateIds(domains: DomainRef[]): string[] {
  return [...new Set(domains.map((d) => d.certificateId).filter((id): id is string => Boolean(id)))];
}

/** The certificate and the domains the actor may see serving it; 404 when not visible. */
export async function visibleCertificate(actor: Actor, id: string): Promise<{ row: CertificateRow; domains: DomainRef[] }> {
  const row = await findCertificate(id);
  if (!row) throw new NotFoundError('Certificate');
  const visible = await visibleDomains(actor);
  const using = await domainsUsing([id]);
  if (visible === null) return { row, domains: using };
  const ids = new Set(visible.map((d) => d.id));
  const shown = using.filter((d) => ids.has(d.id));
  if (shown.length === 0 && !(row.domainId && ids.has(row.domainId))) throw new NotFoundError('Certificate');
  return { row, domains: shown };
}

export async function listCertificates(actor: Actor, p: CertificateListParams) {
  const { db, t } = getDb();
  const visible = await visibleDomains(actor);
  let only: ReturnType<typeof inArray> | ReturnType<typeof or> | undefined;
  if (visible !== null) {
    const certIds = visibleCertificateIds(visible);
    const domainIds = visible.map((d) => d.id);
    if (certIds.length === 0 && domainIds.length === 0) return { items: [], nextCursor: null };
    only = or(certIds.length ? inArray(t.certificates.id, certIds) : undefined, domainIds.length ? inArray(t.certificates.domainId, domainIds) : undefined);
  }
  const rows = await db
    .select()
    .from(t.certificates)
    .where(
      and(
        p.cursor ? gt(t.certificates.id, p.cursor) : undefined,
        p.source ? eq(t.certificates.source, p.source) : undefined,
        p.domainId ? eq(t.certificates.domainId, p.domainId) : undefined,
        only,
      ),
    )
    .orderBy(asc(t.certificates.id))
    .limit(p.limit + 1);
  const using = await domainsUsing(rows.map((r) => r.id));
  const shown = visible === null ? using : using.filter((d) => visible.some((v) => v.id === d.id));
  return toPage(rows, p.limit, (r) => toCertificateDto(r, shown));
}

export interface DomainChoice {
  id: string;
  fqdn: string;
  aliases: string[];
  sslMode: 'none' | 'custom' | 'acme';
  certificateId: string | null;
}

/** Domains to offer in the console's upload and ACME forms (admins only reach these forms). */
export async function domainChoices(): Promise<DomainChoice[]> {
  const { db, t } = getDb();
  return db
    .select({ id: t.domains.id, fqdn: t.domains.fqdn, aliases: t.domains.aliases, sslMode: t.domains.sslMode, certificateId: t.domains.certificateId })
    .from(t.domains)
    .orderBy(asc(t.domains.fqdn))
    .limit(2000);
}
