/**
 * upstreams.conf: one `upstream` block per pool used by the server's domains, plus the websocket
 * map. Pure: host names are never written into the file (see renderTargetLines for why).
 */
import { createHash } from 'node:crypto';
import { checkIPv4, checkIPv6, checkSlug, checkTargetHost, formatHostPort } from '../nginx/grammar';
import { ConfigRenderError, must } from '../nginx/errors';
import type { Upstream, UpstreamTarget } from './types';

const METHODS = new Set(['round_robin', 'least_conn', 'ip_hash']);
const MAX_ADDRESSES_PER_HOST = 32;

function intIn(value: unknown, min: number, max: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigRenderError(`${field}: must be a whole number from ${min} to ${max}.`, field);
  }
  return value;
}

/**
 * The name of an upstream inside Nginx. Upstream names share one namespace per Nginx instance (and
 * with host names in proxy_pass), so a prefix and a hash of the record id keep them unique and
 * clear of anything an admin configured by hand.
 */
export function nginxUpstreamName(upstream: { id: string; name: string }): string {
  const slug = must(checkSlug(upstream.name), `upstreams.${upstream.id}.name`);
  const hash = createHash('sha256').update(upstream.id).digest('hex').slice(0, 8);
  return `gh_${slug.replace(/-/g, '_')}_${hash}`;
}

/** Re-checks a stored upstream against the grammar; throws ConfigRenderError naming the field. */
export function validateUpstream(u: Upstream): void {
  const at = `upstreams.${u.name}`;
  nginxUpstreamName(u);
  if (!METHODS.has(u.method)) throw new ConfigRenderError(`${at}.method: unknown balancing method.`, `${at}.method`);
  if (u.keepalive != null) intIn(u.keepalive, 1, 1024, `${at}.keepalive`);
  if (!Array.isArray(u.targets) || u.targets.length === 0 || u.targets.length > 64) {
    throw new ConfigRenderError(`${at}.targets: an upstream needs 1 to 64 targets.`, `${at}.targets`);
  }
  u.targets.forEach((t, i) => {
    const f = `${at}.targets.${i}`;
    must(checkTargetHost(t.host), `${f}.host`);
    intIn(t.port, 1, 65535, `${f}.port`);
    intIn(t.weight, 1, 1000, `${f}.weight`);
    intIn(t.maxFails, 0, 100, `${f}.maxFails`);
    intIn(t.failTimeoutSeconds, 1, 3600, `${f}.failTimeoutSeconds`);
    if (typeof t.backup !== 'boolean') throw new ConfigRenderError(`${f}.backup: must be true or false.`, `${f}.backup`);
    if (t.backup && u.method === 'ip_hash') {
      throw new ConfigRenderError(`${f}.backup: Nginx does not allow backup targets with ip_hash.`, `${f}.backup`);
    }
  });
  // Nginx counts only non-backup servers and refuses an upstream that has none.
  if (u.targets.every((t) => t.backup)) throw new ConfigRenderError(`${at}.targets: at least one target must not be a backup.`, `${at}.targets`);
}

function addressesOf(host: string, resolved: Record<string, string[]>, field: string): string[] {
  const list = Object.hasOwn(resolved, host) ? resolved[host] : [];
  if (!Array.isArray(list)) throw new ConfigRenderError(`${field}: resolved addresses must be a list.`, field);
  const out = list.map((a) => {
    const v4 = checkIPv4(a);
    return v4.ok ? v4.value : must(checkIPv6(a), `${field} (resolved address)`);
  });
  // Sorted and deduplicated: DNS answers arrive in rotating order, and the file hash must not
  // change (and report drift) just because a resolver shuffled its answer.
  return [...new Set(out)].sort().slice(0, MAX_ADDRESSES_PER_HOST);
}

/**
 * Nginx resolves a host name in `server name:port` once, while loading the configuration, and
 * refuses to start if that fails: one dead name takes every site down (Nginx Proxy Manager #1807,
 * #2359, #4488). The `resolve` parameter avoids that only from Nginx 1.27.3 on, and Debian 12
 * ships 1.22. So names are resolved before rendering, on the deploy path, and passed in: each
 * address becomes its own `server` line (what Nginx itself does with a multi-address name), and a
 * name with no address becomes a `down` placeholder on 127.0.0.1 that keeps the block valid and
 * Nginx starting. The next deploy, or the drift check re-rendering, picks up DNS changes.
 */
export function renderTargetLines(t: UpstreamTarget, resolved: Record<string, string[]>, field: string): string[] {
  const { kind, host } = must(checkTargetHost(t.host), `${field}.host`);
  const params = `weight=${t.weight} max_fails=${t.maxFails} fail_timeout=${t.failTimeoutSeconds}s`;
  const line = (address: string) => `    server ${formatHostPort(address, t.port)} ${params}${t.backup ? ' backup' : ''};`;
  if (kind !== 'hostname') return [line(host)];
  const addresses = addressesOf(host, resolved, `${field}.host`);
  if (addresses.length > 0) return [`    # ${host}:${t.port}`, ...addresses.map(line)];
  // No `backup` on the placeholder: Nginx needs at least one non-backup server per upstream.
  return [
    `    # ${host}:${t.port} did not resolve when this file was rendered; placeholder so Nginx still starts`,
    `    server ${formatHostPort('127.0.0.1', t.port)} ${params} down;`,
  ];
}

function renderUpstream(u: Upstream, resolved: Record<string, string[]>): string {
  validateUpstream(u);
  const lines = [`# upstream "${u.name}"`, `upstream ${nginxUpstreamName(u)} {`];
  // Balancing methods must come before `keepalive`, or keepalive does not take effect.
  if (u.method !== 'round_robin') lines.push(`    ${u.method};`);
  u.targets.forEach((t, i) => lines.push(...renderTargetLines(t, resolved, `upstreams.${u.name}.targets.${i}`)));
  if (u.keepalive != null) lines.push(`    keepalive ${u.keepalive};`);
  lines.push('}');
  return lines.join('\n');
}

const HEADER = `# Managed by Gatehouse. Manual edits are overwritten on the next deploy.

# For domains with websockets: "upgrade" when the client asks for it; otherwise no Connection
# header at all, so keepalive connections to the upstream stay reusable. Prefixed so it cannot
# collide with a $connection_upgrade map an admin may already have in nginx.conf.
map $http_upgrade $gh_connection_upgrade {
    default upgrade;
    "" "";
}
`;

/** The whole upstreams.conf for a set of upstreams, ordered by their Nginx names. */
export function renderUpstreamsFile(upstreams: Upstream[], resolved: Record<string, string[]> = {}): string {
  const blocks = [...upstreams]
    .sort((a, b) => (nginxUpstreamName(a) < nginxUpstreamName(b) ? -1 : 1))
    .map((u) => renderUpstream(u, resolved));
  return [HEADER, ...blocks].join('\n') + (blocks.length ? '\n' : '');
}
