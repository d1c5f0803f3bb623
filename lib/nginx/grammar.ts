/**
 * The strict grammar for every value that can reach an Nginx file. Each rule is a `check*`
 * function returning the normalised value or a message written for the user, an `is*` predicate,
 * and a zod schema that applies the check and outputs the normalised form. The renderer runs the
 * same checks again, so a bad value in the database still cannot reach a config.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';

export type Checked<T = string> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (message: string): Checked<never> => ({ ok: false, message });

/** Shows a character in a message without echoing invisible or control characters raw. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0x20) return 'a space';
  if (cp === 0x09) return 'a tab';
  if (cp === 0x0a) return 'a line break';
  if (cp === 0x0d) return 'a carriage return (U+000D)';
  if (cp < 0x20 || cp === 0x7f) return `a control character (${hex})`;
  return cp > 0x20 && cp < 0x7f ? `"${ch}"` : `the character ${hex}`;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ASCII_HOST_CHAR = /^[A-Za-z0-9.-]$/;
// Scripts whose letters are easily confused with each other (e.g. Latin "a" and Cyrillic "а").
const CONFUSABLE_SCRIPTS: Array<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
];

export interface HostnameOptions {
  /** Fewest labels accepted: 2 for public names (`example.com`), 1 for upstream targets (`backend`). */
  minLabels?: number;
}

/**
 * A DNS host name (RFC 1123 labels, at most 253 characters), Unicode accepted and returned as
 * punycode. Input whose characters change under IDNA mapping (full-width letters, soft hyphens,
 * zero-width characters, `%`-escapes) is refused rather than silently rewritten: the admin must
 * see exactly the name that will be served.
 */
export function checkHostname(input: string, opts: HostnameOptions = {}): Checked {
  const minLabels = opts.minLabels ?? 2;
  if (typeof input !== 'string' || input.length === 0) return fail('Enter a host name.');
  if (input.length > 253) return fail('Host names are at most 253 characters long.');
  if (input.endsWith('.')) return fail('Remove the trailing dot: write "example.com", not "example.com.".');
  for (const ch of input) {
    if (ch.codePointAt(0)! < 0x80) {
      if (!ASCII_HOST_CHAR.test(ch)) return fail(`Host names may contain only letters, digits, hyphens and dots; found ${showChar(ch)}.`);
      continue;
    }
    // A non-ASCII character that folds to ASCII (full-width "ｅ", Kelvin sign, U+037E for ";",
    // superscript digits) is a look-alike: refused, so what the admin sees is what gets served.
    const plain = [...ch.normalize('NFKC').toLowerCase()].find((c) => c.codePointAt(0)! < 0x80);
    if (plain !== undefined) return fail(`Found ${showChar(ch)}, a look-alike of ${showChar(plain)}; type the plain character instead.`);
  }
  const ascii = domainToASCII(input);
  if (!ascii) return fail('Not a valid host name (it cannot be converted to an internationalised domain name).');
  // Label by label, each typed label must be its ASCII form or that form's Unicode reading, so
  // both "bücher" and "xn--bcher-kva" pass while anything the mapping dropped or rewrote fails.
  const typed = input.normalize('NFC').toLowerCase().split('.');
  const converted = ascii.split('.');
  if (typed.length !== converted.length || typed.some((l, i) => l !== converted[i] && l !== domainToUnicode(converted[i]))) {
    return fail('The name contains characters that change when converted (full-width, invisible or look-alike characters); type it in plain form.');
  }
  if (ascii.length > 253) return fail('Host names are at most 253 characters long once converted to punycode.');
  const labels = ascii.split('.');
  if (labels.some((l) => l === '')) return fail('Host names cannot contain empty labels (two dots in a row or a leading dot).');
  for (const label of labels) {
    if (!LABEL.test(label)) {
      return fail(`"${label}" is not a valid label: use 1-63 letters, digits or hyphens, not starting or ending with a hyphen.`);
    }
  }
  if (labels.length < minLabels) return fail('Enter a fully qualified name such as app.example.com.');
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return fail('The last label cannot be all digits; an IP address is not a host name.');
  for (const label of domainToUnicode(ascii).split('.')) {
    const scripts = CONFUSABLE_SCRIPTS.filter(([, re]) => re.test(label)).map(([name]) => name);
    if (scripts.length > 1) return fail(`A label mixes ${scripts.join(' and ')} letters, a common look-alike trick.`);
  }
  return ok(ascii);
}

/** A server name: a host name of two or more labels, or (aliases only) a leading `*.` wildcard. */
export function checkServerName(input: string, opts: { wildcard?: boolean } = {}): Checked {
  if (typeof input === 'string' && input.startsWith('*.') && opts.wildcard) {
    const rest = checkHostname(input.slice(2), { minLabels: 2 });
    return rest.ok ? ok(`*.${rest.value}`) : rest;
  }
  if (typeof input === 'string' && input.includes('*')) {
    return fail(opts.wildcard ? 'A wildcard is allowed only as the whole first label, as in *.example.com.' : 'Wildcards are not allowed here; use an alias such as *.example.com.');
  }
  return checkHostname(input, { minLabels: 2 });
}

export function checkIPv4(input: string): Checked {
  // node's isIPv4 refuses leading zeros, so "010.0.0.1" (octal to some parsers) never passes.
  return typeof input === 'string' && isIPv4(input) ? ok(input) : fail('Not a valid IPv4 address.');
}

/** An IPv6 address, with or without brackets, returned compressed and lowercase without brackets. */
export function checkIPv6(input: string): Checked {
  if (typeof input !== 'string') return fail('Not a valid IPv6 address.');
  const bare = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (bare.includes('%')) return fail('IPv6 zone indexes (%eth0) are not supported.');
  if (!isIPv6(bare)) return fail('Not a valid IPv6 address.');
  return ok(new URL(`http://[${bare}]/`).hostname.slice(1, -1));
}

export type HostKind = 'ipv4' | 'ipv6' | 'hostname';

/** An upstream target host: IPv4, IPv6 or a host name (single-label names such as `backend` allowed). */
export function checkTargetHost(input: string): Checked<{ kind: HostKind; host: string }> {
  if (typeof input !== 'string' || input.length === 0) return fail('Enter a host name or IP address.');
  if (isIPv4(input)) return ok({ kind: 'ipv4', host: input });
  if (input.includes(':')) {
    if (/^[^:]+:[0-9]*$/.test(input)) return fail('Enter the port in its own field, not after the host.');
    const v6 = checkIPv6(input);
    return v6.ok ? ok({ kind: 'ipv6', host: v6.value }) : v6;
  }
  if (/^[0-9.]+$/.test(input)) return fail('Not a valid IPv4 address.');
  const name = checkHostname(input, { minLabels: 1 });
  return name.ok ? ok({ kind: 'hostname', host: name.value }) : name;
}

/** How a target appears after `server` in an upstream block: IPv6 needs brackets before the port. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function checkPort(input: number): Checked<number> {
  return Number.isInteger(input) && input >= 1 && input <= 65535 ? ok(input) : fail('Ports are whole numbers from 1 to 65535.');
}

const SIZE = /^(0|[1-9][0-9]{0,12})([kmgKMG]?)$/;
const SIZE_SCALE: Record<string, bigint> = { '': 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n };

/** An Nginx size (`0`, `1048576`, `512k`, `10m`, `1g`), at most 1 TiB, returned lowercase. */
export function checkSize(input: string): Checked {
  // Matched before lowercasing: toLowerCase would turn a Kelvin sign into a "k".
  const m = typeof input === 'string' ? SIZE.exec(input) : null;
  if (!m) return fail('Write a size as a number with an optional k, m or g suffix, e.g. 10m, 512k, 1g or 0.');
  if (BigInt(m[1]) * SIZE_SCALE[m[2].toLowerCase()] > 1n << 40n) return fail('Sizes are at most 1 TiB (1024g).');
  return ok(input.toLowerCase());
}

const PATH_CHARS = /^[A-Za-z0-9._~\-/%?=&+,:@]*$/;

/** An absolute URI path with an optional query, e.g. `/healthz` or `/status?full=1`. */
export function checkUriPath(input: string): Checked {
  if (typeof input !== 'string' || !input.startsWith('/')) return fail('Paths start with "/".');
  if (input.length > 1024) return fail('Paths are at most 1024 characters long.');
  for (const ch of input) {
    if (!PATH_CHARS.test(ch)) return fail(`Paths may not contain ${showChar(ch)}; percent-encode it.`);
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(input)) return fail('A "%" must start a percent-escape such as %20.');
  const [path, ...query] = input.split('?');
  if (query.length > 1) return fail('A path may contain only one "?".');
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return fail('Paths may not contain "." or ".." segments.');
  return ok(input);
}

/** An absolute file-system path made of plain segments (the managed directory, certificate files). */
export function checkFilePath(input: string): Checked {
  if (typeof input !== 'string' || !/^(\/[A-Za-z0-9._-]+)+$/.test(input) || input.length > 255) {
    return fail('Use an absolute path made of letters, digits, ".", "_" and "-" (at most 255 characters).');
  }
  if (input.split('/').some((seg) => seg === '.' || seg === '..')) return fail('Paths may not contain "." or ".." segments.');
  return ok(input);
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export function checkSlug(input: string): Checked {
  return typeof input === 'string' && SLUG.test(input)
    ? ok(input)
    : fail('Use 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.');
}

/** Record ids (UUIDs in practice). They never reach a config directly, but are kept to a safe alphabet anyway. */
export function checkId(input: string): Checked {
  return typeof input === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(input) ? ok(input) : fail('Not a valid id.');
}

/** A name-server glob such as `*.ns.cloudflare.com`: `*` stands for part of one label. */
export function checkNameserverPattern(input: string): Checked {
  // ASCII only: a Unicode lowercasing could turn a look-alike (Kelvin sign) into "k".
  const v = typeof input === 'string' && /^[\x21-\x7e]*$/.test(input) ? input.toLowerCase() : '';
  const labels = v.split('.');
  const label = /^(?!-)[a-z0-9*-]{1,63}(?<!-)$/;
  if (!v || v.length > 253 || labels.length < 2 || !labels.every((l) => label.test(l)) || !/[a-z]/.test(labels[labels.length - 1])) {
    return fail('Write a pattern such as *.ns.cloudflare.com: labels of letters, digits, hyphens and "*", ending in a name like com.');
  }
  return ok(v);
}

/** Whether a name server (ASCII, any case, trailing dot allowed as DNS returns it) matches a pattern. */
export function nameserverMatches(pattern: string, nameserver: string): boolean {
  const re = pattern.split('*').map((p) => p.replace(/[.-]/g, '\\$&')).join('[a-z0-9-]+');
  return new RegExp(`^${re}$`).test(nameserver.toLowerCase().replace(/\.$/, ''));
}

const VERSION = /^(?:nginx\/)?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/;
/** Parses `1.22.1` (or `nginx/1.22.1`) into numbers; null when absent or unreadable. */
export function parseNginxVersion(input: string | null | undefined): [number, number, number] | null {
  const m = input ? VERSION.exec(input.trim()) : null;
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

export function versionAtLeast(v: [number, number, number] | null, min: [number, number, number]): boolean {
  if (!v) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

/** The codes a redirect may answer with. */
export const REDIRECT_CODES = [301, 302, 307, 308] as const;
export type RedirectCode = (typeof REDIRECT_CODES)[number];

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#[\]]*)(?::([0-9]{1,5}))?(\/[^#]*)?$/;

/**
 * A redirect target: `http(s)://host[:port][/path][?query]`, host a DNS name (punycode), an
 * IPv4 or a bracketed IPv6 address. The path and query use the URI path alphabet (no `$`,
 * quotes, spaces, braces or `;`), so the URL is one Nginx word that interpolates nothing.
 * `withQuery: false` refuses a query (a redirect that appends the request's own path and query).
 * Returned normalised: lowercase scheme and host, no trailing `/` when there is no path.
 */
export function checkRedirectUrl(input: string, opts: { withQuery?: boolean } = {}): Checked {
  if (typeof input !== 'string' || input.length === 0) return fail('Enter the URL to redirect to, e.g. https://example.com.');
  if (input.length > 2048) return fail('URLs are at most 2048 characters long.');
  const m = URL_SHAPE.exec(input);
  if (!m) return fail('Write a URL such as https://example.com/path (no spaces, no fragment).');
  const scheme = m[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return fail('Redirects go to http:// or https:// URLs.');
  let host: string;
  if (m[2].startsWith('[')) {
    const v6 = checkIPv6(m[2].slice(1, -1));
    if (!v6.ok) return v6;
    host = `[${v6.value}]`;
  } else {
    const h = isIPv4(m[2]) ? ok(m[2]) : checkHostname(m[2], { minLabels: 1 });
    if (!h.ok) return h;
    host = h.value;
  }
  if (m[3] !== undefined && !checkPort(Number(m[3])).ok) return fail('Ports are whole numbers from 1 to 65535.');
  let path = m[4] ?? '';
  if (path) {
    const p = checkUriPath(path);
    if (!p.ok) return p;
    if (opts.withQuery === false && path.includes('?')) return fail('With "keep path and query" on, the URL may not have a query of its own.');
    path = p.value;
  }
  return ok(`${scheme}://${host}${m[3] !== undefined ? `:${Number(m[3])}` : ''}${path}`);
}

const LOCATION_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

/**
 * A location's path prefix, e.g. `/api/`: a plain path (letters, digits, `.`, `_`, `~`, `-`, `/`),
 * not `/` (the domain itself) and not under the ACME challenge path, which must stay reachable.
 */
export function checkLocationPath(input: string): Checked {
  if (typeof input !== 'string' || !input.startsWith('/')) return fail('Location paths start with "/", e.g. /api/.');
  if (input.length > 255) return fail('Location paths are at most 255 characters long.');
  for (const ch of input) {
    if (!/^[A-Za-z0-9._~\/-]$/.test(ch)) return fail(`Location paths may contain letters, digits, ".", "_", "~", "-" and "/"; found ${showChar(ch)}.`);
  }
  if (!LOCATION_PATH.test(input)) return fail('Not a valid location path.');
  if (input === '/') return fail('"/" is the domain itself; give a longer prefix such as /api/.');
  if (input.includes('//')) return fail('Location paths may not contain "//".');
  if (input.split('/').some((seg) => seg === '..' || seg === '.')) return fail('Paths may not contain "." or ".." segments.');
  if (input.startsWith('/.well-known/acme-challenge')) return fail('The ACME challenge path is Gatehouse\'s own; choose another prefix.');
  return ok(input);
}

/** A basic-auth user name: what an htpasswd line holds before its ":". */
export function checkHtpasswdUser(input: string): Checked {
  return typeof input === 'string' && /^[A-Za-z0-9._@+-]{1,64}$/.test(input)
    ? ok(input)
    : fail('User names are 1-64 letters, digits, ".", "_", "@", "+" and "-".');
}

/** An address rule's source: `all`, an IP address or a CIDR range, returned normalised. */
export function checkAccessSource(input: string): Checked {
  if (input === 'all') return ok('all');
  const bad = fail('Write an IP address (10.0.0.1, 2001:db8::1), a CIDR range (10.0.0.0/8) or all.');
  if (typeof input !== 'string' || input.length > 64) return bad;
  const [ip, bits, extra] = input.split('/');
  if (extra !== undefined || (bits !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(bits))) return bad;
  if (isIPv4(ip) && /^[0-9.]+$/.test(ip)) {
    if (bits !== undefined && Number(bits) > 32) return fail('IPv4 prefixes are /0 to /32.');
    return ok(bits === undefined ? ip : `${ip}/${bits}`);
  }
  const v6 = checkIPv6(ip);
  if (!v6.ok) return bad;
  if (bits !== undefined && Number(bits) > 128) return fail('IPv6 prefixes are /0 to /128.');
  return ok(bits === undefined ? v6.value : `${v6.value}/${bits}`);
}

export const isIPv4Address = (s: string) => checkIPv4(s).ok;
export const isPort = (n: number) => checkPort(n).ok;
export const isSlug = (s: string) => checkSlug(s).ok;

/** Turns a check into a zod string schema whose output is the normalised value. */
export function checkedString<T = string>(check: (s: string) => Checked<T>, maxLength = 1024) {
  return z
    .string({ error: 'Enter text here.' })
    .max(maxLength, `At most ${maxLength} characters.`)
    .transform((value, ctx) => {
      const r = check(value);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.message, input: value });
      return z.NEVER;
    });
}

export const hostnameSchema = checkedString((s) => checkHostname(s, { minLabels: 2 }), 253);
/** A domain's primary name: no wildcard (that is what aliases are for). */
export const fqdnSchema = checkedString((s) => checkServerName(s), 253);
export const serverNameSchema = checkedString((s) => checkServerName(s, { wildcard: true }), 253);
export const targetHostSchema = checkedString((s) => {
  const r = checkTargetHost(s);
  return r.ok ? ok(r.value.host) : r;
}, 253);
export const sizeSchema = checkedString(checkSize, 16);
export const uriPathSchema = checkedString(checkUriPath, 1024);
export const slugSchema = checkedString(checkSlug, 63);
export const idSchema = checkedString(checkId, 64);
export const nameserverPatternSchema = checkedString(checkNameserverPattern, 253);
export const redirectUrlSchema = checkedString((s) => checkRedirectUrl(s), 2048);
export const locationPathSchema = checkedString(checkLocationPath, 255);
export const htpasswdUserSchema = checkedString(checkHtpasswdUser, 64);
export const accessSourceSchema = checkedString(checkAccessSource, 64);

/**
 * CRLF line ends (a browser sends a textarea's lines with CRLF) become LF. A lone CR is left as
 * it is: it is not a line end anywhere Gatehouse writes to, so the checks after it refuse it.
 */
export const toLf = (text: string): string => text.replace(/\r\n/g, '\n');

/**
 * A string schema for multi-line text (template bodies, custom directives, PEM blocks, private
 * keys): line ends are normalised to LF before any other check, so a textarea from a browser is
 * accepted and stored exactly like the same text sent with LF. Chain `.max()` and refinements on
 * it; they see the normalised text.
 */
export function multilineString(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).overwrite(toLf);
}

/** Whole numbers in a range with one readable message, for ports, weights and durations in seconds. */
export function intSchema(min: number, max: number, what: string) {
  const message = `${what} must be a whole number from ${min} to ${max}.`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

export const portSchema = intSchema(1, 65535, 'Port');
export const secondsSchema = (min = 1, max = 86_400) => intSchema(min, max, 'Duration in seconds');
