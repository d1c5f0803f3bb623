/**
 * Renewal and expiry. The job looks every hour; an ACME certificate is renewed once it is inside
 * RENEW_WITHIN_DAYS of expiry, or as soon as its domain has a name it does not cover. A failed renewal is retried with backoff (1 h, 2 h, 4 h, … capped
 * at 24 h, counted by renewAttempts and timed from the record's updatedAt) until it succeeds or
 * the certificate expires; each failure publishes `certificate.renewal_failed`.
 */
import { and, asc, eq, inArray, isNotNull, lte, ne } from 'drizzle-orm';
import { getDb } from '../db';
import { systemActor } from '../access/actor';
import { AppError } from '../errors';
import { publish } from '../events/bus';
import { renewCertificate } from './service';
import { domainNames, uncoveredNames } from '../nginx/server-names';
import { daysLeft, type CertificateRow } from './store';

export const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How long to wait after the n-th failed renewal before the next attempt. */
export function retryDelayMs(attempts: number): number {
  if (attempts <= 0) return 0;
  return Math.min(24 * HOUR_MS, HOUR_MS * 2 ** (attempts - 1));
}

/**
 * Is this certificate due for a renewal attempt now? Inside the renewal window, or at once when
 * its domain gained a name the certificate does not cover (`domainNames`: the domain's names now).
 */
export function renewalDue(
  row: Pick<CertificateRow, 'source' | 'notAfter' | 'renewAttempts' | 'updatedAt' | 'certificatePem' | 'domainId' | 'names'>,
  now = new Date(),
  domainNames?: string[],
): boolean {
  if (row.source !== 'acme' || !row.notAfter || !row.certificatePem || !row.domainId) return false;
  const namesChanged = domainNames !== undefined && uncoveredNames(domainNames, row.names).length > 0;
  if (!namesChanged && row.notAfter.getTime() - now.getTime() > RENEW_WITHIN_DAYS * DAY_MS) return false;
  return now.getTime() - row.updatedAt.getTime() >= retryDelayMs(row.renewAttempts);
}

/** Marks certificates past their notAfter as expired (the list shows it at once anyway). */
export async function markExpired(now = new Date()): Promise<number> {
  const { db, t } = getDb();
  const rows = await db
    .update(t.certificates)
    .set({ status: 'expired', updatedAt: now })
    .where(and(eq(t.certificates.status, 'valid'), lte(t.certificates.notAfter, now)))
    .returning({ id: t.certificates.id });
  for (const r of rows) await publish({ type: 'certificate.updated', data: { certificateId: r.id, status: 'expired' } });
  return rows.length;
}

/** One pass of the renewal job: queue a renewal task for each due ACME certificate. */
export async function runRenewalJob(now = new Date()): Promise<{ queued: string[] }> {
  const { db, t } = getDb();
  const candidates = await db
    .select()
    .from(t.certificates)
    .where(and(eq(t.certificates.source, 'acme'), isNotNull(t.certificates.certificatePem), isNotNull(t.certificates.domainId)))
    .orderBy(asc(t.certificates.notAfter));
  const domainIds = [...new Set(candidates.map((c) => c.domainId!))];
  const domains = domainIds.length
    ? await db.select({ id: t.domains.id, fqdn: t.domains.fqdn, aliases: t.domains.aliases }).from(t.domains).where(inArray(t.domains.id, domainIds))
    : [];
  const namesOf = new Map(domains.map((d) => [d.id, domainNames(d)]));
  const queued: string[] = [];
  for (const row of candidates.filter((r) => renewalDue(r, now, namesOf.get(r.domainId!)))) {
    try {
      await renewCertificate(systemActor, row.id);
      queued.push(row.id);
    } catch (err) {
      // Already being issued, or its domain is gone: nothing to queue. Anything else is a bug.
      if (!(err instanceof AppError)) throw err;
    }
  }
  await markExpired(now);
  return { queued };
}

export interface ExpiringCertificate {
  id: string;
  source: 'custom' | 'acme';
  names: string[];
  notAfter: string;
  daysLeft: number;
  /** Domains serving it, with their server: what an alert is about. */
  domains: Array<{ id: string; fqdn: string; serverId: string }>;
  lastError: string | null;
}

/**
 * Certificates that expire within `days` (or already have) and that some domain serves, soonest
 * first: what the cert_expiry alert rule watches.
 */
export async function certificatesExpiringWithin(days: number, now = new Date()): Promise<ExpiringCertificate[]> {
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.certificates)
    .where(and(isNotNull(t.certificates.notAfter), lte(t.certificates.notAfter, new Date(now.getTime() + days * DAY_MS)), ne(t.certificates.status, 'pending')))
    .orderBy(asc(t.certificates.notAfter));
  if (rows.length === 0) return [];
  const domains = await db
    .select({ id: t.domains.id, fqdn: t.domains.fqdn, serverId: t.domains.serverId, certificateId: t.domains.certificateId })
    .from(t.domains)
    .where(and(inArray(t.domains.certificateId, rows.map((r) => r.id)), ne(t.domains.sslMode, 'none')));
  return rows
    .map((r) => ({
      id: r.id,
      source: r.source,
      names: r.names,
      notAfter: r.notAfter!.toISOString(),
      daysLeft: daysLeft(r.notAfter, now.getTime())!,
      domains: domains.filter((d) => d.certificateId === r.id).map(({ id, fqdn, serverId }) => ({ id, fqdn, serverId })),
      lastError: r.lastError,
    }))
    .filter((c) => c.domains.length > 0);
}
