import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP addresses and CIDR ranges (IPv4 and IPv6) as numbers, for TRUSTED_PROXIES. An IPv4-mapped
 * IPv6 address (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4 peers) is its IPv4
 * address, so `127.0.0.1/8` matches it.
 */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface CidrRange {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let head = text;
  let tail4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = ipv4Value(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftParts = left ? left.split(':') : [];
  const rightParts = right === undefined ? [] : right ? right.split(':') : [];
  const missing = 8 - leftParts.length - rightParts.length;
  const parts = [...leftParts, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightParts];
  let value = parts.reduce((acc, p) => (acc << 16n) | BigInt(parseInt(p, 16)), 0n);
  if (tail4 !== null) value = (value & ~0xffffffffn) | tail4;
  return value;
}

/**
 * An address as written in a socket, a header or a config: `1.2.3.4`, `::1`, `[::1]`, `[::1]:443`,
 * `1.2.3.4:5678`, `fe80::1%eth0`. Null when it is not an IP address.
 */
export function parseIp(input: string): IpAddress | null {
  let text = input.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  text = text.replace(/%[\w.-]+$/, '');
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) };
  if (!isIPv6(text)) return null;
  const value = ipv6Value(text.toLowerCase());
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** `a.b.c.d`, `a.b.c.d/n`, `x::y`, `x::/n`: a range (a bare address is a range of one). Null when invalid. */
export function parseCidr(input: string): CidrRange | null {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(input.trim());
  if (!m) return null;
  const bare = m[1];
  // A range is written bare: no brackets, no port, no zone.
  if (!isIPv4(bare) && !isIPv6(bare)) return null;
  const ip = parseIp(bare);
  if (!ip) return null;
  // `::ffff:10.0.0.0/104` is written in IPv6 terms; count its prefix in IPv4 terms.
  const writtenAsV6 = bare.includes(':');
  const width = ip.family === 4 ? 32 : 128;
  let prefix = m[2] === undefined ? (writtenAsV6 ? 128 : width) : Number(m[2]);
  if (writtenAsV6 && ip.family === 4) {
    if (prefix < 96) return null;
    prefix -= 96;
  }
  if (prefix > width) return null;
  const hostBits = BigInt(width - prefix);
  const network = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, network, prefix };
}

/** Comma-separated CIDRs (spaces allowed); the first invalid entry is named. */
export function parseCidrList(input: string): { ok: true; ranges: CidrRange[] } | { ok: false; invalid: string } {
  const ranges: CidrRange[] = [];
  for (const entry of input.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = parseCidr(entry);
    if (!range) return { ok: false, invalid: entry };
    ranges.push(range);
  }
  return { ok: true, ranges };
}

export function inRange(ip: IpAddress, range: CidrRange): boolean {
  if (ip.family !== range.family) return false;
  const hostBits = BigInt((ip.family === 4 ? 32 : 128) - range.prefix);
  return (ip.value >> hostBits) << hostBits === range.network;
}

/** Is `address` (any form parseIp takes) in one of the ranges? False when it is not an address. */
export function inAnyRange(address: string, ranges: readonly CidrRange[]): boolean {
  const ip = parseIp(address);
  return ip !== null && ranges.some((r) => inRange(ip, r));
}

/** The canonical text of an address: IPv4 dotted, IPv6 lower-case compressed; mapped IPv4 as IPv4. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt(112 - i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (two or more), as RFC 5952 says.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** `address` in canonical form, or null when it is not an IP address. */
export function normalizeIp(address: string): string | null {
  const ip = parseIp(address);
  return ip ? formatIp(ip) : null;
}
