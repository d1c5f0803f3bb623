/**
 * Read-only views: what a deploy would write (`GET /servers/{id}/config`, `GET /domains/{id}/config`)
 * and how it differs from the last deployed manifest. No SSH: upstream host names are resolved
 * from Gatehouse here, so a name that only resolves on the server shows as a placeholder until
 * the deploy (which resolves on the server) writes it.
 */
import type { Actor } from '../access/actor';
import { requireServerVisible } from '../access/rbac';
import { getServerRow } from '../servers/connection';
import { diffFileSets } from './diff';
import { presentFiles, renderServerSet } from './config-set';
import { ConfigRenderError } from '../nginx/errors';
import { loadServerRenderState, type ServerRenderState } from './load';
import { loadManifest } from './manifest';
import { renderDomainFile } from './render';
import { resolveTargetHosts, targetHostsToResolve } from './resolve-targets';
import { visibleDomain } from './domains';
import { certificateFiles } from './load';
import type { ConfigFileDto, DomainConfigDto, ServerConfigDto } from './dto';
import { plural } from '../errors';

const PREVIEW_LOOKUP_MS = 1500;

async function previewState(serverId: string): Promise<ServerRenderState> {
  const state = await loadServerRenderState(serverId);
  state.input.resolved = await resolveTargetHosts(targetHostsToResolve(state.input.upstreams), undefined, PREVIEW_LOOKUP_MS);
  return state;
}

/** Files as the config views list them: `path` absolute on the server, `name` as deploys and diffs use it. */
function listed(managedDir: string, files: { path: string; content: string; sha256: string }[]): ConfigFileDto[] {
  return files.map((f) => ({ path: `${managedDir}/${f.path}`, name: f.path, content: f.content, sha256: f.sha256 }));
}

export async function getServerConfig(actor: Actor, serverId: string): Promise<ServerConfigDto> {
  await getServerRow(serverId);
  await requireServerVisible(actor, serverId);
  const state = await previewState(serverId);
  const set = renderServerSet(state);
  if (set.errors.length) {
    const e = set.errors[0];
    throw new ConfigRenderError(`${e.fqdn}: ${e.message}${set.errors.length > 1 ? ` (and ${plural(set.errors.length - 1, 'more domain')})` : ''}`, e.field, e.line);
  }
  const files = presentFiles(set.files);
  const manifest = await loadManifest(serverId);
  const dir = state.layout.managedDir;
  return { managedDir: dir, files: listed(dir, files), changes: diffFileSets(manifest, files) };
}

export async function getDomainConfig(actor: Actor, domainId: string): Promise<DomainConfigDto> {
  const domain = await visibleDomain(actor, domainId);
  const state = await previewState(domain.serverId);
  const d = state.input.domains.find((x) => x.id === domainId)!;
  const file = renderDomainFile(state.input, d);
  const certs = d.ssl.mode !== 'none' && d.ssl.certificateId ? certificateFiles(state.certificates.filter((c) => c.id === d.ssl.certificateId)) : [];
  const files = presentFiles([{ ...file, mode: 0o644 }, ...certs]);
  const deployed = (await loadManifest(domain.serverId, files.map((f) => f.path))).map((f) => ({ path: f.path, content: f.content, sha256: f.sha256 }));
  const dir = state.layout.managedDir;
  return { managedDir: dir, files: listed(dir, files), deployed: listed(dir, deployed), changes: diffFileSets(deployed, files) };
}
