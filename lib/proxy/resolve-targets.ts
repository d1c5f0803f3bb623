/**
 * The impure half of the unresolvable-upstream strategy (see render-upstreams.ts): find the host
 * names among upstream targets and resolve them before rendering. Deploy should resolve on the
 * target server itself (`getent ahosts <name>` over SSH, parsed by parseGetentHosts) because
 * names such as Docker services or /etc/hosts entries may only exist there; the default lookup
 * resolves from the Gatehouse host for previews.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { checkTargetHost } from '../nginx/grammar';
import type { Upstream } from './types';

export type HostLookup = (host: string) => Promise<string[]>;

/** Host names (not IP literals) used by the given upstreams, ASCII, sorted, once each. */
export function targetHostsToResolve(upstreams: Upstream[]): string[] {
  const names = new Set<string>();
  for (const u of upstreams) {
    for (const t of u.targets) {
      const r = checkTargetHost(t.host);
      if (r.ok && r.value.kind === 'hostname') names.add(r.value.host);
    }
  }
  return [...names].sort();
}

const systemLookup: HostLookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Resolves each name with a per-name deadline. A failure or timeout maps the name to [] (the
 * renderer then writes a `down` placeholder), never to an exception: one dead name must not stop
 * the others from deploying.
 */
export async function resolveTargetHosts(hosts: string[], lookup: HostLookup = systemLookup, timeoutMs = 3000): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    hosts.map(async (host): Promise<[string, string[]]> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), timeoutMs);
      });
      try {
        const found = await Promise.race([lookup(host).catch(() => []), deadline]);
        return [host, [...new Set(found.filter((a) => isIPv4(a) || isIPv6(a)))].sort()];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Addresses from `getent ahosts NAME` output (`ADDRESS  STREAM  NAME` lines); empty when none. */
export function parseGetentHosts(stdout: string): string[] {
  const out = new Set<string>();
  for (const line of stdout.split('\n')) {
    const address = line.trim().split(/\s+/)[0];
    if (address && (isIPv4(address) || isIPv6(address))) out.add(address);
  }
  return [...out].sort();
}
