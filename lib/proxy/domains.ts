/**
 * Domains: one FQDN (plus aliases) on one server, proxied to one upstream pool. Admins write any;
 * an operator of a server (lib/access/rbac.ts) writes that server's domains, but never their
 * custom directives or template, and points them only at pools and certificates they can see. A
 * user sees the domains of servers shared with them. Every write leaves the domain
 * `pending` until a deploy puts its new file in place, and publishes `domain.updated`.
 */
import { and, asc, eq, gt, inArray, ne } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireOperateTarget, requireServerOperate, requireServerVisible, visibleServerIds } from '../access/rbac';
import { recordAudit } from '../audit';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, parseInput, zodFields } from '../errors';
import { toPage, type ListParams } from '../pagination';
import { domainInput, domainPatch, type DomainInput } from './schemas';
import { publishDomainStatus } from './status';
import { domainInputOf } from './load';
import { findDomain, type DomainRow } from './store';
import { coverageMessage, domainNames, uncoveredNames } from '../nginx/server-names';
import type { DomainDto } from './dto';
import { hasAllTags } from '../servers/tags';

export function toDomainDto(d: DomainRow): DomainDto {
  return {
    id: d.id,
    ...domainInputOf(d),
    status: d.status,
    lastError: d.lastError,
    nsStatus: d.nsStatus,
    deployedAt: d.deployedAt?.toISOString() ?? null,
    tags: d.tags ?? [],
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export interface DomainListParams extends ListParams {
  serverId?: string;
  upstreamId?: string;
  /** Every one of these tags (normalised). */
  tag?: string[];
}

export async function listDomains(actor: Actor, params: DomainListParams) {
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.domains)
    .where(
      and(
        params.cursor ? gt(t.domains.id, params.cursor) : undefined,
        params.serverId ? eq(t.domains.serverId, params.serverId) : undefined,
        params.upstreamId ? eq(t.domains.upstreamId, params.upstreamId) : undefined,
        visible ? inArray(t.domains.serverId, visible) : undefined,
        hasAllTags(t.domains.tags, params.tag ?? []),
      ),
    )
    .orderBy(asc(t.domains.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, toDomainDto);
}

/** Every tag in use on the domains the actor may see (for the list's tag filter), sorted. */
export async function domainTagsInUse(actor: Actor): Promise<string[]> {
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return [];
  const { db, t } = getDb();
  const rows = await db.select({ tags: t.domains.tags }).from(t.domains).where(visible ? inArray(t.domains.serverId, visible) : undefined);
  return [...new Set(rows.flatMap((r) => r.tags ?? []))].sort();
}

/**
 * When a domain is pointed at a certificate (POST/PATCH /domains): the certificate must exist,
 * hold a certificate, and cover the domain's names. Field errors name `ssl.certificateId`. A
 * domain's own ACME certificate is exempt: when its names change, the renewal job issues it
 * again for the new names (lib/certs/renewal.ts).
 */
async function assertCertificateCoversDomain(certificateId: string, domain: { id?: string; fqdn: string; aliases: string[] }): Promise<void> {
  const { db, t } = getDb();
  const [row] = await db
    .select({ source: t.certificates.source, domainId: t.certificates.domainId, certificatePem: t.certificates.certificatePem, names: t.certificates.names })
    .from(t.certificates)
    .where(eq(t.certificates.id, certificateId))
    .limit(1);
  if (!row) throw ValidationError.field('ssl.certificateId', 'No such certificate.');
  if (row.source === 'acme' && domain.id && row.domainId === domain.id) return;
  if (!row.certificatePem) throw ValidationError.field('ssl.certificateId', 'This certificate has not been issued yet.');
  const missing = uncoveredNames(domainNames(domain), row.names);
  if (missing.length) throw ValidationError.field('ssl.certificateId', coverageMessage(missing, row.names));
}

/**
 * Points a domain at a certificate (the certificates feature, inside its transaction, after an
 * upload or an issue); the domain's config must be deployed again.
 */
export async function attachCertificate(domain: Pick<DomainRow, 'id' | 'serverId'>, certificateId: string, mode: 'custom' | 'acme'): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.domains).set({ sslMode: mode, certificateId, status: 'pending', updatedAt: new Date() }).where(eq(t.domains.id, domain.id));
  await publishDomainStatus({ id: domain.id, serverId: domain.serverId, status: 'pending' });
}


/** The domain row if this actor may see it (404 otherwise, also for users without the server). */
export async function visibleDomain(actor: Actor, id: string): Promise<DomainRow> {
  const row = await findDomain(id);
  if (!row) throw new NotFoundError('Domain');
  await requireServerVisible(actor, row.serverId, 'Domain');
  return row;
}

export async function getDomain(actor: Actor, id: string): Promise<DomainDto> {
  return toDomainDto(await visibleDomain(actor, id));
}

/** References must exist and fit: server, upstream, template kind, certificate. */
async function checkReferences(data: DomainInput, current?: DomainRow): Promise<void> {
  const selfId = current?.id;
  const { db, t } = getDb();
  const names = [data.fqdn, ...data.aliases];
  const [server] = await db.select({ id: t.servers.id }).from(t.servers).where(eq(t.servers.id, data.serverId)).limit(1);
  if (!server) throw ValidationError.field('serverId', 'No such server.');
  const poolIds = [data.upstreamId, ...data.locations.map((l) => l.upstreamId)].filter((x): x is string => Boolean(x));
  const pools = new Set(poolIds.length ? (await db.select({ id: t.upstreams.id }).from(t.upstreams).where(inArray(t.upstreams.id, poolIds))).map((r) => r.id) : []);
  if (data.upstreamId && !pools.has(data.upstreamId)) throw ValidationError.field('upstreamId', 'No such upstream.');
  const listIds = [data.accessListId, ...data.locations.map((l) => l.accessListId)].filter((x): x is string => Boolean(x));
  const lists = new Set(listIds.length ? (await db.select({ id: t.accessLists.id }).from(t.accessLists).where(inArray(t.accessLists.id, listIds))).map((r) => r.id) : []);
  if (data.accessListId && !lists.has(data.accessListId)) throw ValidationError.field('accessListId', 'No such access list.');
  const fields: Record<string, string[]> = {};
  data.locations.forEach((l, i) => {
    if (l.upstreamId && !pools.has(l.upstreamId)) fields[`locations.${i}.upstreamId`] = ['No such upstream.'];
    if (l.accessListId && !lists.has(l.accessListId)) fields[`locations.${i}.accessListId`] = ['No such access list.'];
  });
  if (Object.keys(fields).length) throw new ValidationError(fields);
  if (data.templateId) {
    const [tpl] = await db.select({ kind: t.templates.kind }).from(t.templates).where(eq(t.templates.id, data.templateId)).limit(1);
    if (!tpl) throw ValidationError.field('templateId', 'No such template.');
    const need = data.ssl.mode === 'none' ? 'http' : 'ssl';
    if (tpl.kind !== need) {
      throw ValidationError.field('templateId', need === 'ssl' ? 'This domain uses SSL: choose an SSL template, or none for the built-in one.' : 'This domain has no SSL: choose an HTTP template, or none for the built-in one.');
    }
  }
  if (data.ssl.certificateId && (!current || current.certificateId !== data.ssl.certificateId || current.fqdn !== data.fqdn || String(current.aliases) !== String(data.aliases))) {
    await assertCertificateCoversDomain(data.ssl.certificateId, { id: current?.id, fqdn: data.fqdn, aliases: data.aliases });
  }
  // One name, one domain: a second server block with the same name would be ignored by Nginx.
  const [taken] = await db.select({ fqdn: t.domains.fqdn }).from(t.domains).where(and(inArray(t.domains.fqdn, names), selfId ? ne(t.domains.id, selfId) : undefined)).limit(1);
  if (taken) throw new ConflictError('domain_exists', `${taken.fqdn} is already a domain.`, undefined, 'fqdn');
  const sameServer = await db.select({ id: t.domains.id, fqdn: t.domains.fqdn, aliases: t.domains.aliases }).from(t.domains).where(eq(t.domains.serverId, data.serverId));
  for (const other of sameServer) {
    if (other.id === selfId) continue;
    const clash = (other.aliases ?? []).find((a) => names.includes(a));
    if (clash) throw new ConflictError('domain_exists', `${clash} is already an alias of ${other.fqdn}.`);
  }
}

function rowValues(data: DomainInput) {
  return {
    fqdn: data.fqdn,
    aliases: data.aliases,
    serverId: data.serverId,
    upstreamId: data.upstreamId,
    redirect: data.redirect,
    accessListId: data.accessListId,
    locations: data.locations,
    templateId: data.templateId,
    sslMode: data.ssl.mode,
    certificateId: data.ssl.certificateId,
    forceHttps: data.ssl.forceHttps,
    hsts: data.ssl.hsts,
    http2: data.ssl.http2,
    websocket: data.websocket,
    clientMaxBodySize: data.clientMaxBodySize,
    customDirectives: data.customDirectives,
    accessLog: data.logs.access,
    errorLog: data.logs.error,
    expectedNameservers: data.nameservers.expected,
    nameserverPattern: data.nameservers.pattern,
  };
}

/**
 * Custom directives are raw Nginx text (checked against an allow-list) and templates are admin
 * work: only an admin sets or changes them. An operator's request may carry them unchanged (the
 * console's form sends every field).
 */
function guardAdminFields(actor: Actor, wanted: { customDirectives?: string; templateId?: string | null }, current?: DomainRow) {
  if (actor.role === 'admin') return;
  const directives = wanted.customDirectives?.trim() ?? undefined;
  if (directives !== undefined && directives !== (current?.customDirectives ?? '').trim()) throw new ForbiddenError('Only an admin can set custom directives.');
  if (wanted.templateId !== undefined && (wanted.templateId ?? null) !== (current?.templateId ?? null)) throw new ForbiddenError('Only an admin can choose a template.');
}

/**
 * An operator points a domain only at an upstream pool or a certificate they can already see
 * (used on a server shared with them): another pool's id is "no such upstream" to them.
 */
async function checkOperatorReferences(actor: Actor, data: DomainInput, current?: DomainRow): Promise<void> {
  if (actor.role === 'admin') return;
  const visible = (await visibleServerIds(actor)) ?? [];
  const { db, t } = getDb();
  if (data.upstreamId && (!current || current.upstreamId !== data.upstreamId)) {
    const [used] = visible.length
      ? await db.select({ id: t.domains.id }).from(t.domains).where(and(eq(t.domains.upstreamId, data.upstreamId), inArray(t.domains.serverId, visible))).limit(1)
      : [];
    if (!used) throw ValidationError.field('upstreamId', 'No such upstream.');
  }
  const cert = data.ssl.certificateId;
  if (cert && (!current || current.certificateId !== cert)) {
    const [used] = visible.length
      ? await db.select({ id: t.domains.id }).from(t.domains).where(and(eq(t.domains.certificateId, cert), inArray(t.domains.serverId, visible))).limit(1)
      : [];
    if (!used) throw ValidationError.field('ssl.certificateId', 'No such certificate.');
  }
}

export async function createDomain(actor: Actor, input: unknown): Promise<DomainDto> {
  const data = parseInput(domainInput, input);
  await requireOperateTarget(actor, data.serverId);
  guardAdminFields(actor, data);
  await checkOperatorReferences(actor, data);
  const row = await atomically(async (db) => {
    const { t } = getDb();
    const [exists] = await db.select({ id: t.domains.id }).from(t.domains).where(eq(t.domains.fqdn, data.fqdn)).limit(1);
    if (exists) throw new ConflictError('domain_exists', `${data.fqdn} is already a domain.`, undefined, 'fqdn');
    await checkReferences(data);
    const now = new Date();
    const r: DomainRow = {
      id: newId(), ...rowValues(data), tags: data.tags, status: 'pending', lastError: null, nsStatus: 'unknown', nsFound: null, nsCheckedAt: null, deployedAt: null, createdAt: now, updatedAt: now,
    };
    await db.insert(t.domains).values(r);
    await recordAudit(actor, 'domain.create', { type: 'domain', id: r.id }, { fqdn: r.fqdn, serverId: r.serverId, upstreamId: r.upstreamId, tags: r.tags });
    await publishDomainStatus(r);
    return r;
  });
  return toDomainDto(row);
}

export async function updateDomain(actor: Actor, id: string, input: unknown): Promise<DomainDto> {
  const before = await findDomain(id);
  if (!before) throw new NotFoundError('Domain');
  await requireServerOperate(actor, before.serverId, 'Domain');
  const patch = parseInput(domainPatch, input);
  guardAdminFields(actor, patch, before);
  // Moving it: the operator must operate the server it goes to as well.
  if (patch.serverId !== undefined && patch.serverId !== before.serverId) await requireOperateTarget(actor, patch.serverId);
  const row = await atomically(async (db) => {
    const { t } = getDb();
    const current = await findDomain(id);
    if (!current) throw new NotFoundError('Domain');
    // The stored record in its input shape: the PATCH merges into it and the whole is re-checked.
    const base = domainInputOf(current);
    const merged = { ...base, ...patch, ssl: { ...base.ssl, ...patch.ssl }, nameservers: { ...base.nameservers, ...patch.nameservers }, logs: { ...base.logs, ...patch.logs } };
    // The whole record again, so rules spanning fields (SSL mode and HSTS...) hold after a PATCH.
    const checked = domainInput.safeParse(merged);
    if (!checked.success) throw new ValidationError(zodFields(checked.error));
    await checkOperatorReferences(actor, checked.data, current);
    await checkReferences(checked.data, current);
    const values = { ...rowValues(checked.data), ...(patch.tags !== undefined && { tags: checked.data.tags }) };
    // Tags are not part of any file either.
    const nsOnly = Object.keys(patch).every((k) => k === 'nameservers' || k === 'tags');
    // Expected name servers are not part of any file: changing only them keeps the deploy status.
    const status = nsOnly ? current.status : 'pending';
    const next: DomainRow = { ...current, ...values, status, updatedAt: new Date() };
    await db.update(t.domains).set({ ...values, status, updatedAt: next.updatedAt }).where(eq(t.domains.id, id));
    await recordAudit(actor, 'domain.update', { type: 'domain', id }, { fqdn: next.fqdn, fields: Object.keys(patch), ...(patch.tags !== undefined && { tags: next.tags }) });
    await publishDomainStatus(next);
    return next;
  });
  return toDomainDto(row);
}

/** Deletes the domain; its file leaves the server at that server's next deploy. */
export async function deleteDomain(actor: Actor, id: string): Promise<void> {
  const before = await findDomain(id);
  if (!before) throw new NotFoundError('Domain');
  await requireServerOperate(actor, before.serverId, 'Domain');
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findDomain(id);
    if (!current) throw new NotFoundError('Domain');
    await db.delete(t.domains).where(eq(t.domains.id, id));
    await recordAudit(actor, 'domain.delete', { type: 'domain', id }, { fqdn: current.fqdn, serverId: current.serverId });
    await publishDomainStatus(current, { deleted: true });
  });
}
