/**
 * streams.conf: the server's TCP/UDP forwards in one `stream {}` block, included from the top
 * level of nginx.conf (a `stream` block cannot live inside `http {}`). Pure, like the other
 * renderers; every value is re-checked against the grammar. With no streams the file holds only a
 * comment, so a server without the stream module keeps passing `nginx -t`.
 */
import { createHash } from 'node:crypto';
import { checkSlug } from '../nginx/grammar';
import { checkRenderedConfig } from '../nginx/syntax';
import { ConfigRenderError, must } from '../nginx/errors';
import { renderTargetLines, validateUpstream } from './render-upstreams';
import type { Upstream } from './types';

export const STREAMS_FILE = 'streams.conf';

export interface StreamSpec {
  id: string;
  protocol: 'tcp' | 'udp';
  listenPort: number;
  upstreamId: string;
}

/** A pool's name inside `stream {}` (its own namespace, but a distinct prefix keeps logs clear). */
export function streamUpstreamName(u: { id: string; name: string }): string {
  const slug = must(checkSlug(u.name), `upstreams.${u.id}.name`);
  return `ghs_${slug.replace(/-/g, '_')}_${createHash('sha256').update(u.id).digest('hex').slice(0, 8)}`;
}

function renderStreamUpstream(u: Upstream, resolved: Record<string, string[]>): string {
  validateUpstream(u);
  const lines = [`    # upstream "${u.name}"`, `    upstream ${streamUpstreamName(u)} {`];
  // The stream module has no ip_hash: hashing the client address is its equivalent.
  if (u.method === 'least_conn') lines.push('        least_conn;');
  if (u.method === 'ip_hash') lines.push('        hash $remote_addr consistent;');
  u.targets.forEach((t, i) => lines.push(...renderTargetLines(t, resolved, `upstreams.${u.name}.targets.${i}`).map((l) => `    ${l}`)));
  lines.push('    }');
  return lines.join('\n');
}

const HEADER = `# Managed by Gatehouse: TCP/UDP streams. Included from the top level of nginx.conf.
# Manual edits are overwritten on the next deploy.
`;

/** The whole streams.conf for a server's streams and the pools they use. */
export function renderStreamsFile(streams: StreamSpec[], upstreams: Upstream[], resolved: Record<string, string[]> = {}): string {
  if (streams.length === 0) return HEADER;
  const pools = new Map(upstreams.map((u) => [u.id, u]));
  const seen = new Set<string>();
  const servers: string[] = [];
  for (const s of [...streams].sort((a, b) => a.listenPort - b.listenPort || (a.protocol < b.protocol ? -1 : 1))) {
    const at = `streams.${s.id}`;
    if (s.protocol !== 'tcp' && s.protocol !== 'udp') throw new ConfigRenderError(`${at}.protocol: must be tcp or udp.`, 'protocol');
    if (!Number.isInteger(s.listenPort) || s.listenPort < 1 || s.listenPort > 65535) throw new ConfigRenderError(`${at}.listenPort: ports are whole numbers from 1 to 65535.`, 'listenPort');
    const key = `${s.protocol}/${s.listenPort}`;
    if (seen.has(key)) throw new ConfigRenderError(`${at}.listenPort: two ${s.protocol} streams on port ${s.listenPort}.`, 'listenPort');
    seen.add(key);
    const u = pools.get(s.upstreamId);
    if (!u) throw new ConfigRenderError(`${at}.upstreamId: the upstream is missing.`, 'upstreamId');
    servers.push(
      [
        `    server {`,
        `        listen ${s.listenPort}${s.protocol === 'udp' ? ' udp' : ''};`,
        `        proxy_pass ${streamUpstreamName(u)};`,
        ...(s.protocol === 'udp' ? ['        proxy_timeout 60s;'] : []),
        `    }`,
      ].join('\n'),
    );
  }
  const used = new Set(streams.map((s) => s.upstreamId));
  const blocks = [...pools.values()]
    .filter((u) => used.has(u.id))
    .sort((a, b) => (streamUpstreamName(a) < streamUpstreamName(b) ? -1 : 1))
    .map((u) => renderStreamUpstream(u, resolved));
  const text = `${HEADER}\nstream {\n${[...blocks, ...servers].join('\n\n')}\n}\n`;
  // The same last check as every rendered domain file: it must parse, with nothing forbidden.
  const checked = checkRenderedConfig(text);
  if (!checked.ok) throw new ConfigRenderError(`streams.conf: ${checked.message}`, 'streams');
  return text;
}
