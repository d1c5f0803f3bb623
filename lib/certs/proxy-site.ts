import { z } from 'zod';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { AppError, ValidationError, parseInput, zodFields } from '../errors';
import { getEffectiveSettings } from '../settings/service';
import { createDomain, deleteDomain } from '../proxy/domains';
import { enqueueDomainDeploy } from '../proxy/deploy';
import { domainInput, upstreamInput } from '../proxy/schemas';
import { createUpstream, deleteUpstream, getUpstream, listUpstreams } from '../proxy/upstreams';
import { createCertificate } from './service';

/**
 * "Proxy a site": the most common job in one step, as Nginx Proxy Manager users expect it — a
 * domain name, a pool (new, from host:port lines, or an existing one), a certificate choice and
 * a deploy. It only strings together the existing commands (createUpstream, createDomain,
 * createCertificate for ACME, enqueueDomainDeploy), so every rule, audit record and event is
 * theirs. Everything is checked before anything is written, so a mistake anywhere is reported
 * beside its field at once and nothing half-made is left behind; should a later step still fail
 * (a name taken meanwhile), the pool this call created is removed again.
 *
 * Field names are the form's: fqdn, aliases, serverId, pool ("new" | "existing"), upstreamId,
 * poolName, targets (one host:port a line), certificate ("none" | "existing" | "acme"), certificateId.
 */

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v.join('\n') : (v ?? '')));

export const proxySiteInput = z.object({
  fqdn: z.string({ error: 'Enter the domain name.' }).trim().min(1, 'Enter the domain name, e.g. app.example.com.'),
  aliases: list,
  serverId: z.string({ error: 'Choose the server.' }).trim().min(1, 'Choose the server that serves the site.'),
  pool: z.enum(['new', 'existing'], { error: 'Choose a new or an existing pool.' }).default('new'),
  upstreamId: z.string().trim().optional(),
  poolName: z.string().trim().optional(),
  targets: list,
  certificate: z.enum(['none', 'existing', 'acme'], { error: 'Choose a certificate option.' }).default('none'),
  certificateId: z.string().trim().optional(),
});
export type ProxySiteInput = z.input<typeof proxySiteInput>;

export interface ProxySiteResult {
  domainId: string;
  upstreamId: string;
  /** The task that puts the site live: the deploy, or the ACME issue (which deploys before and after). */
  taskId: string;
}

const splitLines = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

/** `10.0.0.5:8080`, `app.internal:3000`, `[2001:db8::1]:8080` → { host, port }. */
export function parseTargetLine(line: string): { host: string; port: number | string } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(line);
  if (bracket) return { host: bracket[1], port: bracket[2] ? Number(bracket[2]) : '' };
  const i = line.lastIndexOf(':');
  if (i <= 0 || line.indexOf(':') !== i) return { host: line, port: '' };
  const port = line.slice(i + 1);
  return { host: line.slice(0, i), port: /^\d+$/.test(port) ? Number(port) : port };
}

/** A pool name from the domain when none was typed: app.example.com → app-example-com. */
export function poolNameFor(fqdn: string): string {
  return (
    fqdn
      .toLowerCase()
      .replace(/^\*\./, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '') || 'site'
  );
}

function add(fields: Record<string, string[]>, name: string, messages: string[]) {
  (fields[name] ??= []).push(...messages);
}

/** Errors of the pool schema, moved onto the form's fields. */
function poolFields(errors: Record<string, string[]>, lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors)) {
    const m = /^targets\.(\d+)\.(host|port)/.exec(key);
    if (m) add(out, 'targets', messages.map((msg) => `Line ${Number(m[1]) + 1} (${lines[Number(m[1])]}): ${m[2] === 'port' && lines[Number(m[1])] && !lines[Number(m[1])].includes(':') ? 'add the port, e.g. host:8080.' : msg}`));
    else if (key === 'targets') add(out, 'targets', messages);
    else if (key === 'name') add(out, 'poolName', messages);
    else add(out, 'targets', messages);
  }
  return out;
}

/** Errors of the domain schema or of createDomain, moved onto the form's fields. */
function domainFields(errors: Record<string, string[]>, opts: { newPool: boolean }): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors)) {
    if (key === 'fqdn' || key.startsWith('aliases')) add(out, key.startsWith('aliases') ? 'aliases' : 'fqdn', messages);
    else if (key === 'serverId') add(out, 'serverId', messages);
    else if (key === 'upstreamId') {
      if (!opts.newPool) add(out, 'upstreamId', messages);
    } else if (key.startsWith('ssl')) add(out, 'certificateId', messages);
    else add(out, '_', messages);
  }
  return out;
}

function remap(err: unknown, map: (fields: Record<string, string[]>) => Record<string, string[]>): unknown {
  if (err instanceof AppError && err.fields) {
    const fields = map(err.fields);
    return new ValidationError(fields, err.message);
  }
  return err;
}

/** ACME can issue once an account e-mail is set (Settings → ACME, or ACME_EMAIL). */
export async function acmeConfigured(): Promise<boolean> {
  const { acme } = await getEffectiveSettings();
  return Boolean(acme.directoryUrl && acme.email);
}

export async function proxySite(actor: Actor, raw: unknown): Promise<ProxySiteResult> {
  requireAdmin(actor);
  const input = parseInput(proxySiteInput, raw);
  const fields: Record<string, string[]> = {};
  const newPool = input.pool === 'new';
  const lines = splitLines(input.targets);

  // 1. The pool: a new one is checked with the pool schema; an existing one must exist.
  let poolBody: z.input<typeof upstreamInput> | null = null;
  if (newPool) {
    if (lines.length === 0) add(fields, 'targets', ['Add at least one target as host:port, e.g. 10.0.0.5:8080.']);
    else {
      poolBody = { name: input.poolName || poolNameFor(input.fqdn), targets: lines.map(parseTargetLine) } as z.input<typeof upstreamInput>;
      const r = upstreamInput.safeParse(poolBody);
      if (!r.success) Object.assign(fields, poolFields(zodFields(r.error), lines));
      else {
        const taken = (await listUpstreams(actor, { limit: 500 })).items.some((u) => u.name === r.data.name);
        if (taken) add(fields, 'poolName', [`A pool named "${r.data.name}" exists: choose it as an existing pool, or name this one differently.`]);
      }
    }
  } else if (!input.upstreamId) add(fields, 'upstreamId', ['Choose the pool to proxy to.']);
  else await getUpstream(actor, input.upstreamId).catch(() => add(fields, 'upstreamId', ['That pool does not exist any more.']));

  // 2. The certificate choice.
  if (input.certificate === 'existing' && !input.certificateId) add(fields, 'certificateId', ['Choose the certificate to serve.']);
  if (input.certificate === 'acme' && !(await acmeConfigured())) add(fields, 'certificate', ['ACME is not set up: add an e-mail address under Settings → ACME, or choose another option.']);

  // 3. The domain, with the domain schema (a placeholder pool id while the pool is new).
  const ssl =
    input.certificate === 'existing'
      ? { mode: 'custom' as const, certificateId: input.certificateId ?? null, forceHttps: true }
      : input.certificate === 'acme'
        ? { mode: 'acme' as const, certificateId: null }
        : { mode: 'none' as const, certificateId: null };
  const domainBody = { fqdn: input.fqdn, aliases: splitLines(input.aliases), serverId: input.serverId, upstreamId: input.upstreamId || 'pending', ssl };
  const d = domainInput.safeParse(domainBody);
  if (!d.success) for (const [k, v] of Object.entries(domainFields(zodFields(d.error), { newPool }))) add(fields, k, v);
  if (Object.keys(fields).length) throw new ValidationError(fields, 'Some fields need a change: see the messages beside them.');

  // 4. Write, with the existing commands.
  let upstreamId = input.upstreamId ?? '';
  let createdPool = false;
  if (poolBody) {
    upstreamId = (await createUpstream(actor, poolBody).catch((err) => Promise.reject(remap(err, (f) => poolFields(f, lines))))).id;
    createdPool = true;
  }
  let domainId: string;
  try {
    domainId = (await createDomain(actor, { ...domainBody, upstreamId })).id;
  } catch (err) {
    if (createdPool) await deleteUpstream(actor, upstreamId).catch(() => undefined);
    throw remap(err, (f) => domainFields(f, { newPool }));
  }
  try {
    if (input.certificate === 'acme') {
      const r = await createCertificate(actor, { source: 'acme', domainId });
      return { domainId, upstreamId, taskId: r.kind === 'acme' ? r.taskId : '' };
    }
    return { domainId, upstreamId, ...(await enqueueDomainDeploy(actor, domainId)) };
  } catch (err) {
    // Nothing was started: take the new records back, so a retry starts clean.
    await deleteDomain(actor, domainId).catch(() => undefined);
    if (createdPool) await deleteUpstream(actor, upstreamId).catch(() => undefined);
    throw err;
  }
}
