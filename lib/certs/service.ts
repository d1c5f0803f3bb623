/**
 * Certificate commands: upload a custom certificate, request or renew an ACME one, delete.
 * Issuing itself runs as a task (issue-task.ts); these only check, record and enqueue.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { seal } from '../crypto/secret-box';
import { enqueueTask } from '../tasks/service';
import { certificateCreateInput, type CertificateDetailDto, type CertificateListParams } from './schemas';
import { inspectUpload } from './pem';
import { coverageMessage, domainNames, uncoveredNames } from '../nginx/server-names';
import { attachCertificate } from '../proxy/domains';
import { findDomain, type DomainRow } from '../proxy/store';
import {
  domainsUsing,
  findCertificate,
  listCertificates as listVisible,
  toCertificateDetailDto,
  visibleCertificate,
  type CertificateRow,
} from './store';
import { enqueueDeploy } from './deploy';

export const ISSUE_TASK = 'certificate.issue';

export async function publishCertificate(row: Pick<CertificateRow, 'id' | 'status'>, serverId: string | null, extra: Record<string, unknown> = {}) {
  await publish({ type: 'certificate.updated', serverId, data: { certificateId: row.id, status: row.status, ...extra } });
}

export const listCertificates = (actor: Actor, p: CertificateListParams) => listVisible(actor, p);

/** Uploaded certificates a domain form may point at (admins only), as ids and labels. */
export async function certificateChoices(actor: Actor): Promise<{ id: string; label: string }[]> {
  if (actor.role !== 'admin') return [];
  const { items } = await listVisible(actor, { limit: 500, source: 'custom' });
  return items
    .filter((c) => c.status === 'valid' || c.status === 'expired')
    .map((c) => ({ id: c.id, label: `${c.names.join(', ')}${c.daysLeft !== null ? ` (${c.daysLeft} days left)` : ''}` }));
}

export async function getCertificate(actor: Actor, id: string): Promise<CertificateDetailDto> {
  const { row, domains } = await visibleCertificate(actor, id);
  return toCertificateDetailDto(row, domains);
}

async function domainFor(domainId: string): Promise<DomainRow> {
  const domain = await findDomain(domainId);
  if (!domain) throw ValidationError.field('domainId', 'No such domain.');
  return domain;
}

/** An issue task already queued or running for a domain (so a second request is a 409). */
async function openIssueTask(domainId: string): Promise<string | null> {
  const { db, t } = getDb();
  const [row] = await db
    .select({ id: t.tasks.id })
    .from(t.tasks)
    .where(and(eq(t.tasks.kind, ISSUE_TASK), eq(t.tasks.domainId, domainId), inArray(t.tasks.status, ['queued', 'running'])))
    .limit(1);
  return row?.id ?? null;
}

export type CreateResult = { kind: 'custom'; certificate: CertificateDetailDto & { deployTaskId?: string | null } } | { kind: 'acme'; taskId: string; certificateId: string };

export async function createCertificate(actor: Actor, input: unknown): Promise<CreateResult> {
  requireAdmin(actor);
  const data = parseInput(certificateCreateInput, input);
  if (data.source === 'acme') return { kind: 'acme', ...(await requestAcmeCertificate(actor, data.domainId!)) };
  return { kind: 'custom', certificate: await uploadCertificate(actor, data) };
}

/** The REST answer: 201 with the certificate, or 202 with the task for ACME. */

async function uploadCertificate(
  actor: Actor,
  data: { certificatePem?: string; privateKeyPem?: string; chainPem?: string | null; domainId?: string | null },
): Promise<CertificateDetailDto & { deployTaskId?: string | null }> {
  const inspected = inspectUpload({ certificatePem: data.certificatePem!, privateKeyPem: data.privateKeyPem!, chainPem: data.chainPem });
  const domain = data.domainId ? await domainFor(data.domainId) : null;
  if (domain) {
    const missing = uncoveredNames(domainNames(domain), inspected.names);
    if (missing.length) throw ValidationError.field('certificatePem', coverageMessage(missing, inspected.names));
  }
  const now = new Date();
  const row: CertificateRow = {
    id: newId(),
    source: 'custom',
    status: 'valid',
    names: inspected.names,
    issuer: inspected.issuer,
    notBefore: inspected.notBefore,
    notAfter: inspected.notAfter,
    fingerprint: inspected.fingerprint,
    certificatePem: inspected.certificatePem,
    chainPem: inspected.chainPem,
    privateKeyEnc: seal(inspected.privateKeyPem),
    domainId: null,
    lastError: null,
    renewAttempts: 0,
    renewedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await atomically(async (db) => {
    const { t } = getDb();
    await db.insert(t.certificates).values(row);
    await recordAudit(actor, 'certificate.upload', { type: 'certificate', id: row.id }, { names: row.names, fingerprint: row.fingerprint, domainId: domain?.id ?? null });
    if (domain) await attachCertificate(domain, row.id, 'custom');
    await publishCertificate(row, domain?.serverId ?? null);
  });
  const deployTaskId = domain ? await enqueueDeploy(actor, domain.id) : null;
  return { ...toCertificateDetailDto(row, await domainsUsing([row.id])), ...(domain && { deployTaskId }) };
}

async function requestAcmeCertificate(actor: Actor, domainId: string): Promise<{ taskId: string; certificateId: string }> {
  const domain = await domainFor(domainId);
  const names = domainNames(domain);
  const wildcards = names.filter((n) => n.startsWith('*.'));
  if (wildcards.length) {
    throw ValidationError.field(
      'domainId',
      `HTTP-01 validation cannot prove wildcard names (${wildcards.join(', ')}). Remove the wildcard alias or upload a custom certificate for it.`,
    );
  }
  return atomically(async (db) => {
    const { t } = getDb();
    const running = await openIssueTask(domain.id);
    if (running) throw new ConflictError('certificate_task_running', 'A certificate is already being issued for this domain.', { taskId: running });
    // One ACME certificate per domain: a new request re-issues into the same record.
    const [existing] = await db
      .select()
      .from(t.certificates)
      .where(and(eq(t.certificates.source, 'acme'), eq(t.certificates.domainId, domain.id)))
      .limit(1);
    const now = new Date();
    let id = existing?.id;
    if (existing) {
      await db.update(t.certificates).set({ names, lastError: null, updatedAt: now }).where(eq(t.certificates.id, existing.id));
    } else {
      id = newId();
      await db.insert(t.certificates).values({ id, source: 'acme', status: 'pending', names, domainId: domain.id, createdAt: now, updatedAt: now });
    }
    const task = await enqueueTask(actor, { kind: ISSUE_TASK, serverId: domain.serverId, domainId: domain.id, input: { certificateId: id!, renewal: false } });
    await recordAudit(actor, 'certificate.issue', { type: 'certificate', id: id! }, { domainId: domain.id, names, taskId: task.id });
    await publishCertificate({ id: id!, status: existing?.status ?? 'pending' }, domain.serverId, { taskId: task.id });
    return { taskId: task.id, certificateId: id! };
  });
}

/**
 * Renews an ACME certificate now (a task). The system actor uses this from the renewal job;
 * an admin from the console or `POST /certificates/{id}/renew`.
 */
export async function renewCertificate(actor: Actor, id: string): Promise<{ taskId: string }> {
  requireAdmin(actor);
  const row = await findCertificate(id);
  if (!row) throw new NotFoundError('Certificate');
  if (row.source !== 'acme') throw new ConflictError('certificate_not_renewable', 'Only ACME certificates are renewed by Gatehouse; upload a new custom certificate instead.');
  const domain = row.domainId ? await findDomain(row.domainId) : undefined;
  if (!domain) throw new ConflictError('certificate_domain_missing', 'The domain this certificate was issued for no longer exists.');
  return atomically(async () => {
    const running = await openIssueTask(domain.id);
    if (running) throw new ConflictError('certificate_task_running', 'A certificate is already being issued for this domain.', { taskId: running });
    const task = await enqueueTask(actor, { kind: ISSUE_TASK, serverId: domain.serverId, domainId: domain.id, input: { certificateId: row.id, renewal: true } });
    await recordAudit(actor, 'certificate.renew', { type: 'certificate', id: row.id }, { domainId: domain.id, taskId: task.id });
    return { taskId: task.id };
  });
}

export async function deleteCertificate(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const row = await findCertificate(id);
    if (!row) throw new NotFoundError('Certificate');
    const using = await domainsUsing([id]);
    if (using.length) {
      throw new ConflictError('certificate_in_use', `Domains still use this certificate: ${using.map((d) => d.fqdn).join(', ')}. Point them at another certificate first.`, {
        domains: using.map((d) => ({ id: d.id, fqdn: d.fqdn })),
      });
    }
    if (row.domainId && (await openIssueTask(row.domainId))) throw new ConflictError('certificate_task_running', 'This certificate is being issued right now.');
    await db.delete(t.certificates).where(eq(t.certificates.id, id));
    await recordAudit(actor, 'certificate.delete', { type: 'certificate', id }, { names: row.names, source: row.source });
    await publish({ type: 'certificate.deleted', data: { certificateId: id } });
  });
}
