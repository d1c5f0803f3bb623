/**
 * The rendered set of a server (or of one domain) as files to deploy: domain files, upstreams.conf
 * and certificate files. Domains render one by one so a failure names its domain.
 */
import { createHash } from 'node:crypto';
import { ConfigRenderError } from '../nginx/errors';
import { certificateFiles, htpasswdFile, secretStandIn, sha256 as sha, type DeployFile, type ServerRenderState } from './load';
import { domainAccessListIds, domainUpstreamIds, renderDomainFile, UPSTREAMS_FILE } from './render';
import { nginxUpstreamName, renderUpstreamsFile, validateUpstream } from './render-upstreams';
import type { Domain, RenderedFile, Upstream } from './types';

export interface DomainRenderError {
  domainId: string;
  fqdn: string;
  message: string;
  field: string | undefined;
  line: number | null;
}

export interface ServerSet {
  files: DeployFile[];
  errors: DomainRenderError[];
  /** The files each domain owns (its .conf and its certificate files). */
  byDomain: Map<string, string[]>;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

// Rendered domain files by everything their bytes depend on (the domain, its upstream, template,
// certificate paths and the server's settings). Rendering is pure, so an unchanged domain need
// not go through the template engine again: a deploy of one changed domain on a server with
// 1,000 renders one. Bounded; the oldest entries go first.
const CACHE_SIZE = 20_000;
const rendered = new Map<string, RenderedFile>();

function renderCached(state: ServerRenderState, d: Domain): RenderedFile {
  const input = state.input;
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        input.server,
        d,
        domainUpstreamIds(d).map((id) => input.upstreams.find((u) => u.id === id) ?? null),
        domainAccessListIds(d).map((id) => (input.accessLists ?? []).find((a) => a.id === id) ?? null),
        d.templateId ? (input.templates.find((t) => t.id === d.templateId) ?? d.templateId) : null,
        d.ssl.certificateId ? (input.certificates.find((c) => c.id === d.ssl.certificateId) ?? null) : null,
      ]),
    )
    .digest('base64');
  const hit = rendered.get(key);
  if (hit) {
    // Refresh its place so that entries in use are the last to go.
    rendered.delete(key);
    rendered.set(key, hit);
    return hit;
  }
  const f = renderDomainFile(input, d);
  if (rendered.size >= CACHE_SIZE) rendered.delete(rendered.keys().next().value!);
  rendered.set(key, f);
  return f;
}

function domainFiles(state: ServerRenderState, d: Domain): DeployFile[] {
  const f = renderCached(state, d);
  const out: DeployFile[] = [{ ...f, mode: 0o644 }];
  const certId = d.ssl.mode !== 'none' ? d.ssl.certificateId : null;
  if (certId) out.push(...certificateFiles(state.certificates.filter((c) => c.id === certId)));
  for (const id of domainAccessListIds(d)) {
    const list = (state.input.accessLists ?? []).find((a) => a.id === id);
    if (list && list.users.length) out.push(htpasswdFile(list));
  }
  return out;
}

function usable(upstreams: Upstream[]): Upstream[] {
  return upstreams.filter((u) => {
    try {
      validateUpstream(u);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every file of the server; domains that cannot render are reported, not rendered. */
export function renderServerSet(state: ServerRenderState): ServerSet {
  const files = new Map<string, DeployFile>();
  const errors: DomainRenderError[] = [];
  const byDomain = new Map<string, string[]>();
  const used = new Set<string>();
  for (const d of state.input.domains) {
    try {
      const own = domainFiles(state, d);
      for (const f of own) files.set(f.path, f);
      byDomain.set(d.id, own.map((f) => f.path));
      for (const id of domainUpstreamIds(d)) used.add(id);
    } catch (err) {
      if (!(err instanceof ConfigRenderError)) throw err;
      errors.push({ domainId: d.id, fqdn: d.fqdn, message: err.message, field: err.field, line: err.line ?? null });
    }
  }
  const content = renderUpstreamsFile(state.input.upstreams.filter((u) => used.has(u.id)), state.input.resolved ?? {});
  files.set(UPSTREAMS_FILE, { path: UPSTREAMS_FILE, content, sha256: sha(content), mode: 0o644 });
  return { files: [...files.values()].sort(byPath), errors, byDomain };
}

/** Nginx upstream names that deployed files proxy to (`proxy_pass http://gh_…;`). */
export function referencedUpstreamNames(contents: string[]): Set<string> {
  const names = new Set<string>();
  for (const text of contents) for (const m of text.matchAll(/\bgh_[a-z0-9_]+_[0-9a-f]{8}\b/g)) names.add(m[0]);
  names.delete('gh_connection_upgrade');
  return names;
}

/**
 * One domain's deploy: its file, its certificate files and upstreams.conf. The upstreams file
 * keeps every pool that the server's other deployed files still proxy to (`keep`), so deploying
 * one domain never pulls a pool from under another.
 */
export function renderDomainSet(state: ServerRenderState, domainId: string, keep: Upstream[]): DeployFile[] {
  const d = state.input.domains.find((x) => x.id === domainId);
  if (!d) throw new ConfigRenderError('The domain is not on this server any more.', 'domainId');
  const own = domainFiles(state, d);
  const pools = new Map<string, Upstream>();
  const ownIds = new Set(domainUpstreamIds(d));
  for (const u of usable([...keep, ...state.input.upstreams.filter((u) => ownIds.has(u.id))])) pools.set(nginxUpstreamName(u), u);
  const content = renderUpstreamsFile([...pools.values()], state.input.resolved ?? {});
  return [...own, { path: UPSTREAMS_FILE, content, sha256: sha(content), mode: 0o644 }].sort(byPath);
}

/** Files as the API shows them: private keys replaced by their stand-in. */
export function presentFiles(files: DeployFile[]): { path: string; content: string; sha256: string }[] {
  return files.map((f) => ({ path: f.path, content: f.secret ? secretStandIn(f.sha256, f.path) : f.content, sha256: f.sha256 }));
}
