/**
 * Templates: the built-in HTTP and SSL ones (rows seeded at start-up, read-only, always rendered
 * from the body shipped in code) and admins' own, checked by rendering them for a sample domain
 * before they are saved, so a template that cannot render never reaches a deploy.
 */
import { asc, count, eq, gt, inArray, isNull } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { AppError, ConflictError, NotFoundError, ValidationError, parseInput } from '../errors';
import { toPage, type ListParams } from '../pagination';
import { ConfigRenderError } from '../nginx/errors';
import { loadServerRenderState } from './load';
import { parseNginx } from '../nginx/syntax';
import { hasAcmeLocation, previewDomainTemplate, renderServerConfig } from './render';
import { templateInput, templatePatch } from './schemas';
import { BUILTIN_HTTP_ID, BUILTIN_SSL_ID, BUILTIN_TEMPLATES } from './templates/builtin';
import { markDomainsPending } from './status';
import { previewInput, type TemplateDto } from './dto';
import type { RenderInput, TemplateKind } from './types';

type TemplateRow = typeof import('../db/schema/sqlite').templates.$inferSelect;

const toDto = (r: TemplateRow, domainCount: number): TemplateDto => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  body: r.body,
  builtin: r.builtin,
  domainCount,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** A template problem as a 422 on `body`, with the template line when known. */
function templateProblem(message: string, line: number | null | undefined): AppError {
  return new AppError(422, 'validation_failed', message, { body: [message] }, line ? { line } : undefined);
}

/**
 * Seeds the built-in templates as rows (idempotent): inserts missing ones and keeps the stored
 * body in step with the code, so the console shows what is actually rendered.
 */
export async function seedBuiltinTemplates(): Promise<void> {
  const { db, t } = getDb();
  for (const b of BUILTIN_TEMPLATES) {
    const [row] = await db.select().from(t.templates).where(eq(t.templates.id, b.id)).limit(1);
    const now = new Date();
    if (!row) {
      await db.insert(t.templates).values({ id: b.id, name: b.name, kind: b.kind, body: b.body, builtin: true, createdAt: now, updatedAt: now }).onConflictDoNothing();
    } else if (row.body !== b.body || row.kind !== b.kind || !row.builtin) {
      await db.update(t.templates).set({ body: b.body, kind: b.kind, builtin: true, updatedAt: now }).where(eq(t.templates.id, b.id));
    }
  }
}

async function domainCounts(ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { db, t } = getDb();
  const rows = await db.select({ id: t.domains.templateId, n: count() }).from(t.domains).where(inArray(t.domains.templateId, ids)).groupBy(t.domains.templateId);
  const counts = new Map(rows.map((r) => [r.id ?? '', Number(r.n)]));
  // A domain without a template renders with the built-in one of its kind (render.ts,
  // chooseTemplate): HTTP without a certificate, SSL with one. Those count as uses too.
  if (ids.includes(BUILTIN_HTTP_ID) || ids.includes(BUILTIN_SSL_ID)) {
    const byDefault = await db.select({ mode: t.domains.sslMode, n: count() }).from(t.domains).where(isNull(t.domains.templateId)).groupBy(t.domains.sslMode);
    for (const r of byDefault) {
      const id = r.mode === 'none' ? BUILTIN_HTTP_ID : BUILTIN_SSL_ID;
      counts.set(id, (counts.get(id) ?? 0) + Number(r.n));
    }
  }
  return counts;
}

export async function listTemplates(actor: Actor, params: ListParams) {
  requireAdmin(actor);
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.templates)
    .where(params.cursor ? gt(t.templates.id, params.cursor) : undefined)
    .orderBy(asc(t.templates.id))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (r) => r);
  const counts = await domainCounts(page.items.map((r) => r.id));
  return { items: page.items.map((r) => toDto(r, counts.get(r.id) ?? 0)), nextCursor: page.nextCursor };
}

async function findTemplate(id: string): Promise<TemplateRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.templates).where(eq(t.templates.id, id)).limit(1);
  return row;
}

export async function getTemplate(actor: Actor, id: string): Promise<TemplateDto> {
  requireAdmin(actor);
  const row = await findTemplate(id);
  if (!row) throw new NotFoundError('Template');
  return toDto(row, (await domainCounts([id])).get(id) ?? 0);
}

/** A sample server and domain of the template's kind, for checking a template before it is saved. */
function sampleInput(kind: TemplateKind, body: string): RenderInput {
  return {
    server: { id: 'sample', managedDir: '/etc/nginx/gatehouse', nginxVersion: '1.22.1' },
    upstreams: [{ id: 'sample-upstream', name: 'app', method: 'round_robin', targets: [{ host: '127.0.0.1', port: 8080, weight: 1, backup: false, maxFails: 1, failTimeoutSeconds: 10 }] }],
    domains: [
      {
        id: 'sample-domain', fqdn: 'app.example.com', aliases: ['www.example.com'], serverId: 'sample', upstreamId: 'sample-upstream', templateId: 'sample-template',
        ssl: kind === 'ssl' ? { mode: 'custom', certificateId: 'sample-cert', forceHttps: true, hsts: true, http2: true } : { mode: 'none', certificateId: null, forceHttps: false, hsts: false, http2: true },
        websocket: true, clientMaxBodySize: '10m', customDirectives: 'proxy_read_timeout 60s;',
      },
    ],
    templates: [{ id: 'sample-template', name: 'this template', kind, body }],
    certificates: [{ id: 'sample-cert', certPath: 'certs/sample.crt', keyPath: 'certs/sample.key' }],
  };
}

function checkRendersForSample(kind: TemplateKind, body: string): void {
  try {
    renderServerConfig(sampleInput(kind, body));
  } catch (err) {
    if (err instanceof ConfigRenderError) throw templateProblem(err.message.replace(/^Template "this template" for app\.example\.com: /, ''), err.line);
    throw err;
  }
}

async function assertNameFree(name: string, exceptId?: string) {
  const { db, t } = getDb();
  const [other] = await db.select({ id: t.templates.id }).from(t.templates).where(eq(t.templates.name, name)).limit(1);
  if (other && other.id !== exceptId) throw new ConflictError('template_exists', `A template named "${name}" already exists.`, undefined, 'name');
}

export async function createTemplate(actor: Actor, input: unknown): Promise<TemplateDto> {
  requireAdmin(actor);
  const data = parseInput(templateInput, input);
  checkRendersForSample(data.kind, data.body);
  const row = await atomically(async (db) => {
    const { t } = getDb();
    await assertNameFree(data.name);
    const now = new Date();
    const r: TemplateRow = { id: newId(), name: data.name, kind: data.kind, body: data.body, builtin: false, createdAt: now, updatedAt: now };
    await db.insert(t.templates).values(r);
    await recordAudit(actor, 'template.create', { type: 'template', id: r.id }, { name: r.name, kind: r.kind });
    await publish({ type: 'template.updated', data: { templateId: r.id } });
    return r;
  });
  return toDto(row, 0);
}

const readOnly = () => new ConflictError('template_builtin', 'Built-in templates are read-only. Create your own template from a copy of its body instead.');

export async function updateTemplate(actor: Actor, id: string, input: unknown): Promise<TemplateDto> {
  requireAdmin(actor);
  const patch = parseInput(templatePatch, input);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findTemplate(id);
    if (!current) throw new NotFoundError('Template');
    if (current.builtin) throw readOnly();
    const next = { name: patch.name ?? current.name, kind: patch.kind ?? current.kind, body: patch.body ?? current.body };
    if (next.kind !== current.kind && ((await domainCounts([id])).get(id) ?? 0) > 0) {
      throw ValidationError.field('kind', 'Domains use this template: its kind cannot change. Create a new template instead.');
    }
    checkRendersForSample(next.kind, next.body);
    if (next.name !== current.name) await assertNameFree(next.name, id);
    await db.update(t.templates).set({ ...next, updatedAt: new Date() }).where(eq(t.templates.id, id));
    if (next.body !== current.body) await markDomainsPending({ templateId: id });
    await recordAudit(actor, 'template.update', { type: 'template', id }, { fields: Object.keys(patch) });
    await publish({ type: 'template.updated', data: { templateId: id } });
  });
  return getTemplate(actor, id);
}

export async function deleteTemplate(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findTemplate(id);
    if (!current) throw new NotFoundError('Template');
    if (current.builtin) throw readOnly();
    const users = await db.select({ fqdn: t.domains.fqdn }).from(t.domains).where(eq(t.domains.templateId, id)).orderBy(asc(t.domains.fqdn)).limit(20);
    if (users.length) {
      const names = users.map((u) => u.fqdn);
      throw new ConflictError('template_in_use', `Template "${current.name}" is used by ${names.join(', ')}. Choose another template for them first.`, { domains: names });
    }
    await db.delete(t.templates).where(eq(t.templates.id, id));
    await recordAudit(actor, 'template.delete', { type: 'template', id }, { name: current.name });
    await publish({ type: 'template.updated', data: { templateId: id, deleted: true } });
  });
}

/**
 * Renders a template body against one real domain's context: the text, or a 422 naming the
 * problem and its template line. Nothing is saved or deployed.
 */
export async function previewTemplateFor(actor: Actor, input: unknown): Promise<string> {
  requireAdmin(actor);
  const data = parseInput(previewInput, input);
  const { db, t } = getDb();
  const [domain] = await db.select({ serverId: t.domains.serverId }).from(t.domains).where(eq(t.domains.id, data.domainId)).limit(1);
  if (!domain) throw ValidationError.field('domainId', 'No such domain.');
  const state = await loadServerRenderState(domain.serverId);
  const result = previewDomainTemplate(data.body, state.input, data.domainId);
  if (!result.ok) throw templateProblem(result.message, result.line);
  const parsed = parseNginx(result.text);
  if (!parsed.ok) throw templateProblem(`In the rendered output: ${parsed.message}`, null);
  if (!hasAcmeLocation(parsed.statements)) {
    throw templateProblem('The output must keep the ACME location: location ^~ /.well-known/acme-challenge/ { root {{ acme.root }}; }', null);
  }
  return result.text;
}
