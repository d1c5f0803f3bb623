/**
 * Rendering: the configuration of one server as a pure function of its records. Same input, same
 * bytes (files and lines in a fixed order, no clock, no randomness), so hashes can be compared for
 * change detection and drift. Every value is checked against the grammar again here; a value that
 * fails stops rendering with a ConfigRenderError instead of reaching a file.
 */
import { createHash } from 'node:crypto';
import { ConfigRenderError, must } from '../nginx/errors';
import { checkId } from '../nginx/grammar';
import { parseNginx, type NginxStatement } from '../nginx/syntax';
import { nginxUpstreamName, renderUpstreamsFile, validateUpstream } from './render-upstreams';
import { buildTemplateContext, serverSettings, type LocationTargets, type ServerSettings, type TemplateContext } from './template-context';
import { previewTemplate, renderTemplate, TemplateError, type PreviewResult } from './template-engine';
import { BUILTIN_HTTP_BODY, BUILTIN_SSL_BODY, BUILTIN_TEMPLATES } from './templates/builtin';
import type { AccessList, CertificateFiles, Domain, RenderedFile, RenderInput, Template, TemplateKind, Upstream } from './types';

export const UPSTREAMS_FILE = 'upstreams.conf';
export const domainFilePath = (fqdn: string) => `domains/${fqdn}.conf`;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function findUpstream(input: RenderInput, id: string, field: string): Upstream {
  const upstream = input.upstreams.find((u) => u.id === id);
  if (!upstream) throw new ConfigRenderError(`${field}: the upstream does not exist.`, field);
  validateUpstream(upstream);
  return upstream;
}

/** Every pool a domain proxies to: `/` (unless it redirects... it may still name one) and its locations. */
export function domainUpstreamIds(domain: Domain): string[] {
  const ids = [domain.upstreamId, ...(domain.locations ?? []).map((l) => (l.redirect ? null : l.upstreamId))];
  return [...new Set(ids.filter((x): x is string => Boolean(x)))];
}

/** Every access list a domain uses, its own and its locations'. */
export function domainAccessListIds(domain: Domain): string[] {
  const ids = [domain.accessListId, ...(domain.locations ?? []).map((l) => l.accessListId)];
  return [...new Set(ids.filter((x): x is string => Boolean(x)))];
}

function findCertificate(input: RenderInput, domain: Domain): CertificateFiles | null {
  const id = domain.ssl?.certificateId;
  if (domain.ssl?.mode === 'none' || !id) return null;
  return input.certificates.find((c) => c.id === id) ?? null;
}

/** The template a domain renders with, and the body to use (built-ins always from code). */
function chooseTemplate(input: RenderInput, domain: Domain, kind: TemplateKind, acmePending: boolean): { name: string; body: string } {
  const builtin = (k: TemplateKind) => ({ name: `builtin-${k}`, body: k === 'http' ? BUILTIN_HTTP_BODY : BUILTIN_SSL_BODY });
  if (domain.templateId == null) return builtin(kind);
  const field = `domains.${domain.fqdn}.templateId`;
  const t: Template | undefined = input.templates.find((x) => x.id === domain.templateId) ?? BUILTIN_TEMPLATES.find((x) => x.id === domain.templateId);
  if (!t) throw new ConfigRenderError(`${field}: the template does not exist.`, field);
  if (t.kind !== kind) {
    // Until an ACME certificate exists an SSL template cannot load; the built-in HTTP one can.
    if (acmePending) return builtin('http');
    throw new ConfigRenderError(`${field}: template "${t.name}" is an ${t.kind.toUpperCase()} template but the domain needs an ${kind.toUpperCase()} one.`, field);
  }
  return t.builtin ? builtin(t.kind) : { name: t.name, body: t.body };
}

/** Whether parsed output keeps the ACME challenge location (at top level or in a server block). */
export function hasAcmeLocation(statements: NginxStatement[]): boolean {
  return statements.some(
    (s) =>
      (s.name === 'location' && s.args[0] === '^~' && s.args[1] === '/.well-known/acme-challenge/') ||
      (s.name === 'server' && s.block !== undefined && hasAcmeLocation(s.block)),
  );
}

interface DomainPlan {
  domain: Domain;
  /** The pools the domain's file proxies to (`/` and its locations). */
  upstreams: Upstream[];
  context: TemplateContext;
  template: { name: string; body: string };
}

function planDomain(input: RenderInput, domain: Domain, s: ServerSettings): DomainPlan {
  const at = `domains.${domain.fqdn}`;
  const main = domain.upstreamId ? findUpstream(input, domain.upstreamId, `${at}.upstreamId`) : null;
  const upstreams = new Map<string, Upstream>(main ? [[main.id, main]] : []);
  const targets: LocationTargets = { upstreamNames: new Map(), accessLists: new Map() };
  (domain.locations ?? []).forEach((l, i) => {
    if (l.redirect || !l.upstreamId) return;
    const u = findUpstream(input, l.upstreamId, `${at}.locations.${i}.upstreamId`);
    upstreams.set(u.id, u);
    targets.upstreamNames.set(u.id, nginxUpstreamName(u));
  });
  for (const id of domainAccessListIds(domain)) {
    const list = (input.accessLists ?? []).find((a: AccessList) => a.id === id);
    if (list) targets.accessLists.set(id, list);
  }
  const certificate = findCertificate(input, domain);
  const context = buildTemplateContext(domain, main ? { name: nginxUpstreamName(main), keepalive: main.keepalive != null } : null, certificate, s, targets);
  const kind: TemplateKind = domain.ssl.mode === 'none' || context.acme.pending ? 'http' : 'ssl';
  return { domain, upstreams: [...upstreams.values()], context, template: chooseTemplate(input, domain, kind, context.acme.pending) };
}

function collect(statements: NginxStatement[], out: NginxStatement[] = []): NginxStatement[] {
  for (const st of statements) {
    out.push(st);
    if (st.block) collect(st.block, out);
  }
  return out;
}

/**
 * An admin's template written before redirects, locations and access lists existed would
 * silently drop them; a dropped access list opens a protected site. So the output must show
 * each of them: a `return` for a redirect, a `location <path>` per location, and the
 * `satisfy` line of every access list the domain uses.
 */
function checkFeaturesKept(plan: DomainPlan, statements: NginxStatement[], field: string): void {
  const all = collect(statements);
  const name = plan.template.name;
  const fqdn = plan.context.domain.fqdn;
  const d = plan.context.domain;
  if (d.redirect && !all.some((st) => st.name === 'return' && st.args[1] === d.redirect!.target)) {
    throw new ConfigRenderError(`Template "${name}" for ${fqdn} must render the domain's redirect: return {{ domain.redirect.code }} {{ domain.redirect.target }};`, field);
  }
  for (const l of d.locations) {
    if (!all.some((st) => st.name === 'location' && st.args.length === 1 && st.args[0] === l.path)) {
      throw new ConfigRenderError(`Template "${name}" for ${fqdn} must render its location ${l.path} (loop over domain.locations).`, field);
    }
  }
  const needsAccess = d.accessControl.length > 0 || d.locations.some((l) => l.accessControl.length > 0);
  if (needsAccess && !all.some((st) => st.name === 'satisfy')) {
    throw new ConfigRenderError(`Template "${name}" for ${fqdn} must render the access list (loop over domain.accessControl and location.accessControl).`, field);
  }
}

function renderDomain(plan: DomainPlan): string {
  const field = `domains.${plan.context.domain.fqdn}.templateId`;
  let text: string;
  try {
    text = renderTemplate(plan.template.body, plan.context);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new ConfigRenderError(`Template "${plan.template.name}" for ${plan.context.domain.fqdn}: ${err.message}`, field, err.line);
  }
  const parsed = parseNginx(text);
  // Every HTTP server block must answer ACME challenges (DESIGN.md, Certificates).
  if (!parsed.ok || !hasAcmeLocation(parsed.statements)) {
    throw new ConfigRenderError(
      `Template "${plan.template.name}" for ${plan.context.domain.fqdn} must keep the ACME location: location ^~ /.well-known/acme-challenge/ { root {{ acme.root }}; }`,
      field,
    );
  }
  checkFeaturesKept(plan, parsed.statements, field);
  return text.endsWith('\n') ? text : `${text}\n`;
}

function serverDomains(input: RenderInput): Domain[] {
  const domains = input.domains.filter((d) => d.serverId === input.server.id);
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.fqdn)) throw new ConfigRenderError(`domains.${d.fqdn}: two domains share this name.`, `domains.${d.fqdn}.fqdn`);
    seen.add(d.fqdn);
  }
  return domains;
}

/**
 * Renders every file of one server: `upstreams.conf` (the pools its domains use, and the
 * websocket map) and `domains/<fqdn>.conf` per domain, sorted by path. Domains of other servers
 * in the input are ignored. Throws ConfigRenderError when any value fails the grammar.
 */
export function renderServerConfig(input: RenderInput): { files: RenderedFile[] } {
  const s = serverSettings(input.server);
  must(checkId(input.server.id), 'server.id');
  const plans = serverDomains(input).map((d) => planDomain(input, d, s));
  const used = new Map(plans.flatMap((p) => p.upstreams.map((u) => [u.id, u] as const)));
  const files = [
    { path: UPSTREAMS_FILE, content: renderUpstreamsFile([...used.values()], input.resolved ?? {}) },
    ...plans.map((p) => ({ path: domainFilePath(p.context.domain.fqdn), content: renderDomain(p) })),
  ];
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: files.map((f) => ({ ...f, sha256: sha256(f.content) })) };
}

/**
 * One domain's file, rendered on its own, so a deploy can tell which domain a failure belongs to
 * and a single-domain deploy renders only what it uploads. Same bytes as renderServerConfig.
 */
export function renderDomainFile(input: RenderInput, domain: Domain): RenderedFile {
  const plan = planDomain(input, domain, serverSettings(input.server));
  const content = renderDomain(plan);
  return { path: domainFilePath(plan.context.domain.fqdn), content, sha256: sha256(content) };
}

/** The context a template would see for one domain of the input (for previews and the editor). */
export function templateContextFor(input: RenderInput, domainId: string): TemplateContext {
  const domain = input.domains.find((d) => d.id === domainId);
  if (!domain) throw new ConfigRenderError('The domain does not exist.', 'domainId');
  return planDomain(input, domain, serverSettings(input.server)).context;
}

/** Renders a template body against one domain's context, reporting errors with their line. */
export function previewDomainTemplate(body: string, input: RenderInput, domainId: string): PreviewResult {
  return previewTemplate(body, templateContextFor(input, domainId));
}
