import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { ValidationError } from '../errors';

/**
 * NS checks: ask each configured DNS server for the NS records of a domain's registrable zone and
 * compare them with what the admin expects. Messages are plain sentences without addresses or
 * names, fit for alerts; the configured server and the names found are separate fields.
 */

export interface ResolverAddress {
  host: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `2001:db8::1`, `[2001:db8::1]:53`. Addresses only: a resolver
 * named by host name would need a resolver to find it. */
export function parseResolverAddress(input: string): ResolverAddress {
  const text = input.trim();
  const bad = (why: string) => ValidationError.field('dnsServers', `"${text}" ${why}`);
  let host = text;
  let port = '53';
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2] ?? port;
  } else if (text.split(':').length === 2) {
    [host, port] = text.split(':');
  }
  if (!isIP(host)) throw bad('is not an IP address (optionally with :port).');
  if (bracketed && isIP(host) !== 6) throw bad('uses brackets, which are only for IPv6.');
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) throw bad('has a port outside 1–65535.');
  return { host, port: n };
}

/** A comma- or space-separated list (as in `DNS_SERVERS`), or an array of entries. */
export function parseResolverList(input: string | readonly string[]): ResolverAddress[] {
  const items = typeof input === 'string' ? input.split(/[\s,]+/) : input;
  return items.map((s) => s.trim()).filter(Boolean).map(parseResolverAddress);
}

/** The form `Resolver.setServers` takes (and the admin reads): `1.2.3.4:53`, `[::1]:53`. */
export function formatResolverAddress(a: ResolverAddress): string {
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Lower case, no trailing dot, ASCII (punycode): the form NS names are compared in. */
export function normaliseName(name: string): string {
  const trimmed = name.trim().replace(/\.+$/, '').toLowerCase();
  // Only IDN goes through domainToASCII: it truncates names with other odd characters
  // ("ns?.example.net" → "ns"), which would make a typo look like a match.
  return /[^\x00-\x7f]/.test(trimmed) ? domainToASCII(trimmed) || trimmed : trimmed;
}

/** `www.shop.example.co.uk` → `example.co.uk` (public suffix list, ICANN section); null for an
 * IP address, a bare public suffix or something that is not a host name. */
export function registrableZone(fqdn: string): string | null {
  const ascii = normaliseName(fqdn);
  if (!ascii || isIP(ascii)) return null;
  return getDomain(ascii, { allowPrivateDomains: false }) ?? null;
}

/** `*` matches within one label (`*.ns.cloudflare.com`, `ns*.example.net`), `?` one character. */
export function nameMatchesPattern(name: string, pattern: string): boolean {
  const labels = pattern.trim().replace(/\.+$/, '').split('.');
  const source = labels
    .map((l) => (/[*?]/.test(l) ? l.toLowerCase() : normaliseName(l)))
    .join('.')
    .split('')
    .map((c) => (c === '*' ? '[^.]*' : c === '?' ? '[^.]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(normaliseName(name));
}

export interface NsExpectation {
  /** Exact set, compared case- and trailing-dot-insensitively. */
  nameservers?: readonly string[] | null;
  /** Every nameserver must match this glob. Used when `nameservers` is empty. */
  pattern?: string | null;
}

/** Does one answer meet the expectation? An empty answer never does. */
export function nameserversMatch(found: readonly string[], expected: NsExpectation): boolean {
  const got = [...new Set(found.map(normaliseName))];
  if (got.length === 0) return false;
  const want = [...new Set((expected.nameservers ?? []).map(normaliseName).filter(Boolean))];
  if (want.length) return got.length === want.length && want.every((n) => got.includes(n));
  if (expected.pattern?.trim()) return got.every((n) => nameMatchesPattern(n, expected.pattern!));
  return true; // nothing expected: any delegation is fine, only a missing one is not
}

export type NsStatus = 'ok' | 'mismatch' | 'error';

export interface ResolverOutcome {
  /** The configured DNS server, as `ip:port`. */
  resolver: string;
  status: NsStatus;
  found: string[];
  message: string;
}

export interface NsCheckResult {
  status: NsStatus;
  zone: string | null;
  /** Every name any server returned, normalised and sorted. */
  found: string[];
  perResolver: ResolverOutcome[];
  message: string;
}

export interface NsCheckOptions {
  resolvers: readonly (string | ResolverAddress)[];
  expected: NsExpectation;
  /** c-ares' first-try timeout per server; later tries back off. */
  timeoutMs?: number;
  tries?: number;
}

const DNS_ERRORS: Record<string, string> = {
  ETIMEOUT: 'The DNS server did not answer in time.',
  ECANCELLED: 'The DNS server did not answer in time.',
  ECONNREFUSED: 'The DNS server refused the query.',
  EREFUSED: 'The DNS server refused the query.',
  ESERVFAIL: 'The DNS server failed to answer.',
  EBADRESP: 'The DNS server sent a malformed answer.',
};

/** These are answers, not failures: the zone has no NS records or does not exist. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND', 'ENONAME']);

async function askOne(zone: string, server: ResolverAddress, timeoutMs: number, tries: number): Promise<ResolverOutcome> {
  const label = formatResolverAddress(server);
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  resolver.setServers([label]);
  // c-ares backs off between tries; this guard bounds the whole query whatever it does.
  const guard = setTimeout(() => resolver.cancel(), timeoutMs * 2 ** tries + 250);
  try {
    const names = (await resolver.resolveNs(zone)).map(normaliseName).sort();
    return { resolver: label, status: 'ok', found: [...new Set(names)], message: '' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (NO_RECORDS.has(code)) return { resolver: label, status: 'ok', found: [], message: '' };
    return { resolver: label, status: 'error', found: [], message: DNS_ERRORS[code] ?? 'The DNS query failed.' };
  } finally {
    clearTimeout(guard);
  }
}

/**
 * Asks every server in parallel. The domain is `mismatch` when any server that answered gives a
 * wrong (or empty) set, `ok` when every server that answered matches, `error` when none answered.
 */
export async function checkNameservers(domain: string, options: NsCheckOptions): Promise<NsCheckResult> {
  const zone = registrableZone(domain);
  const servers = options.resolvers.map((r) => (typeof r === 'string' ? parseResolverAddress(r) : r));
  if (!zone) return { status: 'error', zone, found: [], perResolver: [], message: 'This is not a registrable domain name.' };
  if (!servers.length) return { status: 'error', zone, found: [], perResolver: [], message: 'No DNS servers are configured.' };

  const answers = await Promise.all(servers.map((s) => askOne(zone, s, options.timeoutMs ?? 3000, options.tries ?? 2)));
  const perResolver = answers.map((a) =>
    a.status === 'error' ? a : { ...a, ...verdict(a.found, options.expected) },
  );
  const found = [...new Set(perResolver.flatMap((a) => a.found))].sort();
  const answered = perResolver.filter((a) => a.status !== 'error');
  if (!answered.length) {
    return { status: 'error', zone, found, perResolver, message: `No DNS server answered. ${perResolver[0].message}` };
  }
  const wrong = answered.find((a) => a.status === 'mismatch');
  if (wrong) return { status: 'mismatch', zone, found, perResolver, message: wrong.message };
  return { status: 'ok', zone, found, perResolver, message: 'The nameservers are as expected.' };
}

function verdict(found: string[], expected: NsExpectation): { status: NsStatus; message: string } {
  if (!found.length) return { status: 'mismatch', message: 'The domain has no nameservers; it may have expired.' };
  if (nameserversMatch(found, expected)) return { status: 'ok', message: 'The nameservers are as expected.' };
  return { status: 'mismatch', message: 'The nameservers differ from the expected ones.' };
}
