/**
 * One deploy against a server's Nginx: resolve upstream names there, render, compare with the
 * files on the server, upload only what differs, swap + `nginx -t` + reload (or roll back), probe
 * the changed domains, then record the manifest and the domains' status. A failure anywhere
 * leaves the previous files serving and fails the task with the reason (Nginx's own text).
 *
 * Probes run on the server itself, through the SSH connection: curl (or wget) asks
 * 127.0.0.1:<httpPort> with the domain's Host header. That works whether or not Gatehouse can
 * reach the server's HTTP port (firewalls, private networks). A probe only reports: Nginx has
 * already accepted and loaded the config, and a 502 means the upstream is down, which is
 * monitoring's business, not a reason to roll back a valid configuration.
 */
import { atomically, getDb } from '../db';
import { getServerRow, secretsOf, withServer } from '../servers/connection';
import { TaskFailure, type TaskContext } from '../tasks/context';
import { SshError } from '../ssh/errors';
import { ConfigRenderError } from '../nginx/errors';
import { referencedUpstreamNames, renderDomainSet, renderServerSet } from './config-set';
import { loadServerRenderState, type DeployFile, type ServerRenderState } from './load';
import { loadManifest, loadManifestHashes, recordManifest } from './manifest';
import { applyOnServer, probeDomains, remoteHashes, resolveOnServer, type ProbeResult } from './remote';
import { nginxUpstreamName } from './render-upstreams';
import { targetHostsToResolve } from './resolve-targets';
import { setDomainsStatus, type StatusChange } from './status';
import { loadUpstreams } from './upstreams';
import { domainUpstreamIds, UPSTREAMS_FILE } from './render';
import type { Upstream } from './types';
import { plural } from '../errors';

export type DeployContext = Pick<TaskContext, 'log' | 'progress' | 'addSecret'>;
export type DeployScope = { scope: 'server' } | { scope: 'domain'; domainId: string };

export interface DeployReport {
  scope: 'server' | 'domain';
  uploaded: string[];
  removed: string[];
  uploadedBytes: number;
  probes: ProbeResult[] | null;
  timings: Record<string, number>;
  [key: string]: unknown;
}

const MAX_PROBES = 20;

/** Upstream pools that the server's deployed domain files (other than `exceptPath`) proxy to. */
async function poolsStillReferenced(serverId: string, exceptPath: string) {
  const deployed = (await loadManifest(serverId)).filter((f) => f.path.startsWith('domains/') && f.path !== exceptPath);
  const names = referencedUpstreamNames(deployed.map((f) => f.content));
  if (names.size === 0) return [];
  const { db, t } = getDb();
  const all = await db.select({ id: t.upstreams.id, name: t.upstreams.name }).from(t.upstreams);
  const ids = all.filter((u) => {
    try {
      return names.has(nginxUpstreamName(u));
    } catch {
      return false;
    }
  });
  return loadUpstreams(ids.map((u) => u.id));
}

const change = (state: ServerRenderState, ids: Iterable<string>): StatusChange[] => {
  const wanted = new Set(ids);
  return state.domains.filter((d) => wanted.has(d.id)).map((d) => ({ id: d.id, serverId: d.serverId }));
};

async function markFailed(state: ServerRenderState, changes: StatusChange[], message: string) {
  await atomically(async () => void (await setDomainsStatus(changes, 'failed', { lastError: message.slice(0, 4000), unchangedSince: state.loadedAt })));
}

/** The desired files for this deploy; a domain that cannot render fails the deploy before SSH work. */
async function desiredFiles(state: ServerRenderState, target: DeployScope, keep: Upstream[]): Promise<{ files: DeployFile[]; byDomain: Map<string, string[]> }> {
  if (target.scope === 'server') {
    const set = renderServerSet(state);
    if (set.errors.length) {
      await markFailed(state, change(state, set.errors.map((e) => e.domainId)), set.errors.map((e) => e.message).join('\n'));
      throw new TaskFailure(`Nothing was changed on the server: ${plural(set.errors.length, 'domain')} cannot be rendered.\n${set.errors.map((e) => `${e.fqdn}: ${e.message}`).join('\n')}`);
    }
    return { files: set.files, byDomain: set.byDomain };
  }
  const domain = state.domains.find((d) => d.id === target.domainId);
  if (!domain) throw new TaskFailure('The domain is no longer on this server.');
  try {
    const files = renderDomainSet(state, domain.id, keep);
    return { files, byDomain: new Map([[domain.id, files.filter((f) => f.path !== UPSTREAMS_FILE).map((f) => f.path)]]) };
  } catch (err) {
    if (!(err instanceof ConfigRenderError)) throw err;
    await markFailed(state, change(state, [domain.id]), err.message);
    throw new TaskFailure(`Nothing was changed on the server: ${err.message}`);
  }
}

/**
 * Deploys a whole server or one domain. Runs inside a task (see deploy.ts), and can be called by
 * other features' tasks (e.g. after a certificate renewal) with their own task context.
 */
export async function runDeploy(serverId: string, target: DeployScope, ctx: DeployContext): Promise<DeployReport> {
  const timings: Record<string, number> = {};
  let lap = performance.now();
  const mark = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round((now - lap) * 10) / 10;
    lap = now;
  };
  const server = await getServerRow(serverId);
  for (const s of secretsOf(server)) ctx.addSecret(s);
  try {
    return await withServer(serverId, async (conn) => {
      mark('connect');
      await ctx.log(`Connected to ${server.name}; reading the domains to deploy.`);
      const state = await loadServerRenderState(serverId);
      mark('load');
      // A one-domain deploy rewrites upstreams.conf with the pools the other deployed files still
      // use: their host names must be resolved too, or they would turn into placeholders.
      const domain = target.scope === 'domain' ? state.domains.find((d) => d.id === target.domainId) : undefined;
      const keep = domain ? await poolsStillReferenced(serverId, `domains/${domain.fqdn}.conf`) : [];
      const own = new Set(domain ? domainUpstreamIds(state.input.domains.find((d) => d.id === domain.id)!) : []);
      const pools = target.scope === 'server' ? state.input.upstreams : [...keep, ...state.input.upstreams.filter((u) => own.has(u.id))];
      const hosts = targetHostsToResolve(pools);
      if (hosts.length) await ctx.log(`Resolving ${plural(hosts.length, 'upstream host name')} on the server…`);
      state.input.resolved = await resolveOnServer(conn, hosts);
      for (const h of hosts.filter((x) => state.input.resolved![x].length === 0)) {
        await ctx.log(`Upstream host ${h} does not resolve on the server: it is written as a "down" placeholder so Nginx still starts.`, 'stderr');
      }
      mark('resolve');
      await ctx.progress(10);
      const domainCount = target.scope === 'server' ? state.domains.length : 1;
      await ctx.log(`Rendering ${plural(domainCount, 'domain')}…`);
      const { files, byDomain } = await desiredFiles(state, target, keep);
      mark('render');
      await ctx.progress(25);
      await ctx.log(`Comparing ${plural(files.length, 'file')} with the server's copies…`);
      const remote = await remoteHashes(conn, state.layout.managedDir, target.scope === 'server' ? undefined : files.map((f) => f.path));
      const manifestHash = target.scope === 'server' ? await loadManifestHashes(serverId) : new Map((await loadManifest(serverId, files.map((f) => f.path))).map((f) => [f.path, f.sha256]));
      const desiredPaths = new Set(files.map((f) => f.path));
      const uploads = files.filter((f) => remote.get(f.path) !== f.sha256);
      const removals = target.scope === 'server' ? [...remote.keys()].filter((p) => !desiredPaths.has(p)).sort() : [];
      for (const f of uploads) {
        const was = remote.get(f.path);
        if (was && manifestHash.has(f.path) && manifestHash.get(f.path) !== was) await ctx.log(`${f.path} was edited on the server by hand; the deploy overwrites it.`, 'stderr');
      }
      mark('inventory');
      await ctx.progress(40);
      const uploadedBytes = uploads.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
      const uploadedPaths = new Set(uploads.map((f) => f.path));
      const changedDomains = [...byDomain].filter(([, paths]) => paths.some((p) => uploadedPaths.has(p))).map(([id]) => id);
      if (uploads.length === 0 && removals.length === 0) {
        await ctx.log('The server already has exactly these files: nothing to upload, Nginx not reloaded.');
      } else {
        await ctx.log(`Uploading ${plural(uploads.length, 'changed file')} (${plural(uploadedBytes, 'byte')}), removing ${removals.length}: ${[...uploads.map((f) => f.path), ...removals.map((p) => `-${p}`)].slice(0, 20).join(', ')}${uploads.length + removals.length > 20 ? ', …' : ''}`);
        const applied = await applyOnServer(
          conn,
          state.layout,
          uploads,
          removals,
          (text) => ctx.log(text),
          async (step) => {
            if (step === 'staged') await ctx.progress(50);
            if (step === 'testing') await ctx.log('Testing the configuration (nginx -t)…');
            if (step === 'tested') await ctx.progress(60);
            if (step === 'reloading') await ctx.log('Reloading: waiting for Nginx workers to start with the new configuration…');
            if (step === 'reloaded') await ctx.progress(75);
          },
        );
        mark('apply');
        if (!applied.ok) {
          // The cause is said once, in the task's error (the runner logs it as the last line too).
          // The domains whose files changed (and, for a changed upstreams.conf, those waiting for a deploy).
          const pending = uploadedPaths.has(UPSTREAMS_FILE) ? state.domains.filter((d) => d.status === 'pending').map((d) => d.id) : [];
          const blamed = change(state, new Set([...changedDomains, ...pending, ...(target.scope === 'domain' ? [target.domainId] : [])]));
          await markFailed(state, blamed, applied.message);
          const why =
            applied.stage === 'test'
              ? 'nginx -t rejected the new configuration. The previous files are back in place and Nginx keeps serving them.'
              : applied.stage === 'reload'
                ? 'Nginx did not load the new configuration.'
                : 'The deploy could not put the files in place. The previous files are back in place.';
          throw new TaskFailure(`${why}\n${applied.message}`);
        }
        if (applied.output) await ctx.log(applied.output);
        await ctx.log('nginx -t passed and Nginx reloaded with the new configuration.');
      }
      await ctx.progress(80);
      const fqdns = state.domains.filter((d) => changedDomains.includes(d.id)).map((d) => d.fqdn).slice(0, MAX_PROBES);
      if (fqdns.length) await ctx.log(`Probing ${plural(fqdns.length, 'domain')} through the server's own Nginx…`);
      const probes = await probeDomains(conn, state.layout.httpPort, fqdns);
      if (probes === null) await ctx.log('Probes skipped: neither curl nor wget is installed on the server.', 'stderr');
      for (const p of probes ?? []) {
        const bad = p.status === null || p.status >= 500;
        await ctx.log(`Probe ${p.fqdn} via 127.0.0.1:${state.layout.httpPort}: ${p.status ?? 'no answer'}${bad ? ' (Nginx serves the domain, but its upstream did not answer well)' : ''}`, bad ? 'stderr' : 'info');
      }
      mark('probe');
      const now = new Date();
      const toRecord = files.filter((f) => manifestHash.get(f.path) !== f.sha256);
      const forget = target.scope === 'server' ? [...new Set([...removals, ...manifestHash.keys()])].filter((p) => !desiredPaths.has(p)) : [];
      const deployedIds = target.scope === 'server' ? state.domains.filter((d) => d.status !== 'deployed' || changedDomains.includes(d.id)).map((d) => d.id) : [target.domainId];
      await atomically(async () => {
        await recordManifest(serverId, toRecord, forget, now);
        await setDomainsStatus(change(state, deployedIds), 'deployed', { deployedAt: now, unchangedSince: state.loadedAt });
      });
      mark('record');
      await ctx.progress(100);
      return { scope: target.scope, uploaded: uploads.map((f) => f.path), removed: removals, uploadedBytes, probes, timings };
    });
  } catch (err) {
    if (err instanceof SshError) {
      await ctx.log(err.detail ?? err.message, 'stderr');
      throw new TaskFailure(`${err.message} The deploy did not finish; deploy again once the server is reachable (it uploads whatever still differs).`);
    }
    if (err instanceof ConfigRenderError) throw new TaskFailure(err.message);
    throw err;
  }
}
