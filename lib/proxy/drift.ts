/**
 * Drift: files on a server that differ from the deployed manifest (someone edited them by hand).
 * `GET /servers/{id}/drift` shows the diffs and the pending deploy preview; a scheduled job checks
 * every deployed server by hash and marks the affected domains `drifted` (or `deployed` again).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireServerVisible } from '../access/rbac';
import { SshError } from '../ssh/errors';
import type { SshConnection } from '../ssh/connection';
import { getServerRow, withServer } from '../servers/connection';
import { diffFileSets } from './diff';
import { presentFiles, renderServerSet } from './config-set';
import { isSecretPath, loadServerRenderState, secretStandIn } from './load';
import type { DomainRow } from './store';
import { loadManifest, loadManifestHashes } from './manifest';
import { readRemoteFiles, remoteHashes, resolveOnServer } from './remote';
import { targetHostsToResolve } from './resolve-targets';
import { setDomainsStatus } from './status';
import { nginxLayoutOf } from '../nginx/layout';
import { UPSTREAMS_FILE } from './render';
import type { DriftDto } from './dto';

/** Paths whose file on the server differs from the manifest (changed, missing or unexpected). */
function driftedPaths(manifest: Map<string, string>, remote: Map<string, string>): string[] {
  const paths = new Set([...manifest.keys(), ...remote.keys()]);
  return [...paths].filter((p) => manifest.get(p) !== remote.get(p)).sort();
}

/** Which domains a drifted path concerns: its own file, its certificate, or all (upstreams.conf). */
function domainsTouched(domains: DomainRow[], paths: string[]): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    for (const d of domains) {
      const cert = d.sslMode !== 'none' && d.certificateId && (p === `certs/${d.certificateId}.crt` || p === `certs/${d.certificateId}.key`);
      const lists = [d.accessListId, ...(d.locations ?? []).map((l) => l.accessListId)].filter(Boolean);
      const htpasswd = lists.some((id) => p === `access/${id}.htpasswd`);
      if (p === UPSTREAMS_FILE || p === `domains/${d.fqdn}.conf` || cert || htpasswd) out.add(d.id);
    }
  }
  return out;
}

/** Marks deployed domains whose files drifted, and drifted ones whose files are back, on one server. */
async function markDrift(serverId: string, paths: string[]): Promise<void> {
  const { db, t } = getDb();
  const domains = await db.select().from(t.domains).where(and(eq(t.domains.serverId, serverId), inArray(t.domains.status, ['deployed', 'drifted'])));
  const touched = domainsTouched(domains, paths);
  const drifted = domains.filter((d) => touched.has(d.id) && d.status === 'deployed');
  const healed = domains.filter((d) => !touched.has(d.id) && d.status === 'drifted');
  if (!drifted.length && !healed.length) return;
  const message = `Changed on the server by hand: ${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', …' : ''}. The next deploy overwrites it.`;
  const asChange = (d: DomainRow) => ({ id: d.id, serverId });
  await atomically(async () => {
    await setDomainsStatus(drifted.map(asChange), 'drifted', { lastError: message });
    await setDomainsStatus(healed.map(asChange), 'deployed');
  });
}

async function inspect(conn: SshConnection, serverId: string): Promise<DriftDto> {
  const server = await getServerRow(serverId);
  const layout = nginxLayoutOf(server);
  const manifest = await loadManifest(serverId);
  const remote = await remoteHashes(conn, layout.managedDir);
  const paths = driftedPaths(new Map(manifest.map((f) => [f.path, f.sha256])), remote);
  const contents = await readRemoteFiles(conn, layout.managedDir, paths.filter((p) => remote.has(p)));
  const text = (p: string, hash: string) => (isSecretPath(p) ? secretStandIn(hash, p) : (contents.get(p) ?? ''));
  const before = manifest.filter((f) => paths.includes(f.path)).map((f) => ({ path: f.path, content: f.content }));
  const after = paths.filter((p) => remote.has(p)).map((p) => ({ path: p, content: text(p, remote.get(p)!) }));
  await markDrift(serverId, paths);
  const state = await loadServerRenderState(serverId);
  state.input.resolved = await resolveOnServer(conn, targetHostsToResolve(state.input.upstreams));
  const set = renderServerSet(state);
  return {
    serverId,
    checkedAt: new Date().toISOString(),
    state: paths.length > 0 ? 'drifted' : 'in_sync',
    drifted: paths.length > 0,
    drift: diffFileSets(before, after),
    pending: diffFileSets(manifest, presentFiles(set.files)),
    renderErrors: set.errors.map((e) => ({ fqdn: e.fqdn, message: e.message })),
  };
}

/**
 * The drift report of one server, over SSH. A server that cannot be reached (refused, timed out,
 * login or host key refused, connection lost) is an ordinary state: `state: "unreachable"`.
 */
export async function getServerDrift(actor: Actor, serverId: string): Promise<DriftDto> {
  await getServerRow(serverId);
  await requireServerVisible(actor, serverId);
  try {
    return await withServer(serverId, (conn) => inspect(conn, serverId));
  } catch (err) {
    if (!(err instanceof SshError)) throw err;
    const typed = err.toAppError();
    return { serverId, checkedAt: new Date().toISOString(), state: 'unreachable', error: typed.message, reason: typed.reason };
  }
}

/** Hash comparison only, for the scheduled check; returns the drifted paths. */
export async function checkServerDrift(serverId: string): Promise<string[]> {
  const manifest = await loadManifestHashes(serverId);
  if (manifest.size === 0) return [];
  const server = await getServerRow(serverId);
  const layout = nginxLayoutOf(server);
  const remote = await withServer(serverId, (conn) => remoteHashes(conn, layout.managedDir));
  const paths = driftedPaths(manifest, remote);
  await markDrift(serverId, paths);
  return paths;
}

/**
 * The scheduled job: every server with a manifest and no task queued or running (a deploy in
 * flight would look like drift), one at a time. An unreachable server is skipped; monitoring
 * reports it.
 */
export async function runDriftChecks(): Promise<void> {
  const { db, t } = getDb();
  const servers = await db.selectDistinct({ id: t.deployedFiles.serverId }).from(t.deployedFiles);
  const busy = new Set(
    (await db.select({ id: t.tasks.serverId }).from(t.tasks).where(and(inArray(t.tasks.status, ['queued', 'running']), sql`${t.tasks.serverId} is not null`))).map((r) => r.id),
  );
  for (const { id } of servers) {
    if (busy.has(id)) continue;
    try {
      await checkServerDrift(id);
    } catch (err) {
      console.warn(`[gatehouse] drift check of server ${id} skipped: ${(err as Error).message}`);
    }
  }
}
