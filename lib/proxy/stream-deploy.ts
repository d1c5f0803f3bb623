/**
 * Deploying a server's streams.conf: `POST /streams/{id}/deploy` queues a `proxy.streams-deploy`
 * task for the stream's server (one task per server at a time). The task makes sure nginx.conf
 * includes the file at its top level (appended once, after any load_module line, kept only when
 * `nginx -t` passes), then swaps the new file in with the same apply script as domains: `nginx -t`,
 * reload, or the previous file comes back.
 */
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { atomically } from '../db';
import { recordAudit } from '../audit';
import { enqueueTask } from '../tasks/service';
import { NotFoundError } from '../errors';
import { getServerRow, secretsOf, withServer } from '../servers/connection';
import { TaskFailure, type TaskContext } from '../tasks/context';
import { SshError } from '../ssh/errors';
import { cmd } from '../ssh/quote';
import type { SshConnection } from '../ssh/connection';
import { ConfigRenderError } from '../nginx/errors';
import { nginxLayoutOf, nginxWords, streamsIncludeLine, type NginxLayout } from '../nginx/layout';
import { sha256 } from './load';
import { applyOnServer, remoteHashes, resolveOnServer } from './remote';
import { renderStreamsFile, STREAMS_FILE } from './render-streams';
import { targetHostsToResolve } from './resolve-targets';
import { findStream, setStreamsStatus, streamsOnServer } from './streams';
import { loadUpstreams } from './upstreams';

export const STREAMS_DEPLOY_TASK = 'proxy.streams-deploy';

export async function enqueueStreamDeploy(actor: Actor, streamId: string): Promise<{ taskId: string }> {
  requireAdmin(actor);
  const stream = await findStream(streamId);
  if (!stream) throw new NotFoundError('Stream');
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind: STREAMS_DEPLOY_TASK, serverId: stream.serverId, input: { streamId } });
    await recordAudit(actor, 'stream.deploy', { type: 'stream', id: streamId }, { taskId: task.id, serverId: stream.serverId });
    return { taskId: task.id };
  });
}

/**
 * `sh -c INCLUDE gh-streams-include MANAGED_DIR MAIN_CONF nginx-command…`, as root: creates an
 * empty streams.conf when missing and appends the include line to nginx.conf when it is not there
 * yet; if `nginx -t` then fails, nginx.conf is put back byte for byte (written in place).
 */
export const STREAMS_INCLUDE_SCRIPT = `set -u
M=$1; MAIN=$2; shift 2
line="include $M/streams.conf;"
mkdir -p "$M" || exit 20
[ -f "$M/streams.conf" ] || printf '# Managed by Gatehouse: TCP/UDP streams.\\n' > "$M/streams.conf" || exit 20
grep -qF "$line" "$MAIN" && exit 0
cp -p "$MAIN" "$MAIN.gatehouse-bak" || exit 20
if printf '\\n# Gatehouse: TCP/UDP streams (top level: a stream block cannot live inside http).\\n%s\\n' "$line" >> "$MAIN" && out=$("$@" -t 2>&1); then
  rm -f "$MAIN.gatehouse-bak"; echo included; exit 0
fi
cat "$MAIN.gatehouse-bak" > "$MAIN"; rm -f "$MAIN.gatehouse-bak"
printf '%s\\n' "\${out:-could not append to $MAIN}" >&2
exit 22
`;

async function ensureInclude(conn: SshConnection, layout: NginxLayout, ctx: Pick<TaskContext, 'log'>): Promise<void> {
  const r = await conn.execPrivileged(cmd`sh -c ${STREAMS_INCLUDE_SCRIPT} gh-streams-include ${layout.managedDir} ${layout.confPath} ${nginxWords(layout)}`, { timeoutMs: 60_000 });
  if (r.code !== 0) {
    await ctx.log(r.stderr.trim(), 'stderr');
    throw new TaskFailure(`Nothing was changed on the server: nginx.conf could not include ${layout.managedDir}/${STREAMS_FILE} at its top level (nginx -t failed with the line, so ${layout.confPath} was restored).\n${r.stderr.trim()}`);
  }
  if (r.stdout.includes('included')) await ctx.log(`${layout.confPath} now includes ${streamsIncludeLine(layout)} at its top level.`);
}

export interface StreamsDeployReport {
  uploaded: boolean;
  streams: number;
  [key: string]: unknown;
}

/** Renders and deploys the server's streams.conf; marks its streams deployed or failed. */
export async function runStreamsDeploy(
  serverId: string,
  ctx: Pick<TaskContext, 'log' | 'progress' | 'addSecret'>,
  opts: { skipUnused?: boolean } = {},
): Promise<StreamsDeployReport> {
  const server = await getServerRow(serverId);
  for (const s of secretsOf(server)) ctx.addSecret(s);
  const loadedAt = new Date();
  const streams = await streamsOnServer(serverId);
  const fail = async (message: string) => {
    await atomically(() => setStreamsStatus(streams, 'failed', { lastError: message.slice(0, 4000), unchangedSince: loadedAt }));
  };
  try {
    const layout = nginxLayoutOf(server);
    const pools = await loadUpstreams([...new Set(streams.map((s) => s.upstreamId))]);
    return await withServer(serverId, async (conn) => {
      const resolved = await resolveOnServer(conn, targetHostsToResolve(pools));
      for (const [h, a] of Object.entries(resolved)) if (a.length === 0) await ctx.log(`Upstream host ${h} does not resolve on the server: it is written as a "down" placeholder so Nginx still starts.`, 'stderr');
      let content: string;
      try {
        content = renderStreamsFile(streams, pools, resolved);
      } catch (err) {
        if (!(err instanceof ConfigRenderError)) throw err;
        await fail(err.message);
        throw new TaskFailure(`Nothing was changed on the server: ${err.message}`);
      }
      await ctx.progress(20);
      const hash = sha256(content);
      const remote = await remoteHashes(conn, layout.managedDir, [STREAMS_FILE]);
      // A whole-server deploy of a server that never had streams leaves nginx.conf alone.
      if (opts.skipUnused && streams.length === 0 && (!remote.has(STREAMS_FILE) || remote.get(STREAMS_FILE) === hash)) return { uploaded: false, streams: 0, skipped: true };
      await ensureInclude(conn, layout, ctx);
      await ctx.progress(40);
      let uploaded = false;
      if (remote.get(STREAMS_FILE) === hash) {
        await ctx.log(`The server already has this ${STREAMS_FILE}: nothing to upload, Nginx not reloaded.`);
      } else {
        await ctx.log(`Uploading ${STREAMS_FILE} (${streams.length} stream(s), ${Buffer.byteLength(content)} bytes).`);
        const applied = await applyOnServer(conn, layout, [{ path: STREAMS_FILE, content, sha256: hash, mode: 0o644 }], [], (text) => ctx.log(text));
        if (!applied.ok) {
          await ctx.log(applied.message, 'stderr');
          await fail(applied.message);
          const hint = /unknown directive "stream"/.test(applied.message)
            ? ' Nginx on this server lacks the stream module: install it (Debian/Ubuntu: libnginx-mod-stream; RHEL/Fedora, Alpine: nginx-mod-stream) and make sure nginx.conf loads it.'
            : '';
          throw new TaskFailure(`nginx -t rejected the new streams.conf, or Nginx did not load it. The previous file is back in place.${hint}\n${applied.message}`);
        }
        if (applied.output) await ctx.log(applied.output);
        await ctx.log('nginx -t passed and Nginx reloaded with the new streams.');
        uploaded = true;
      }
      await ctx.progress(90);
      await atomically(() => setStreamsStatus(streams, 'deployed', { deployedAt: new Date(), unchangedSince: loadedAt }));
      await ctx.progress(100);
      return { uploaded, streams: streams.length };
    });
  } catch (err) {
    if (err instanceof SshError) {
      await ctx.log(err.detail ?? err.message, 'stderr');
      throw new TaskFailure(`${err.message} The deploy did not finish; deploy again once the server is reachable.`);
    }
    if (err instanceof ConfigRenderError) {
      await fail(err.message);
      throw new TaskFailure(err.message);
    }
    throw err;
  }
}
