import { isIPv6 } from 'node:net';
import { maskDomain, publicSuffixLabelCount } from './mask';
import { escapeHtml, htmlToText } from './html';

export { describeError } from './describe-error';

/**
 * The one place that makes text safe for a Telegram message (DESIGN.md "Alerting": no IP
 * address, no host name, no URL, no raw library error; domains masked). Everything that leaves
 * for Telegram goes through `sanitizeText` (plain text) or `assertSafe` (a composed message).
 *
 * It errs towards redacting too much: a stray `[ip]` in an nginx error is harmless, a leaked
 * address is not. Placeholders are `[secret]`, `[url]`, `[address]` (e-mail or user@host),
 * `[ip]` and `[host]`; domain-like names are masked with `maskDomain`. File paths are kept (the
 * admin needs `/etc/nginx/nginx.conf:12`), but any address or name inside them is still redacted.
 * Recognised IPv4 forms are dotted quads (decimal, octal-looking or hex octets) and dashed quads
 * (`ip-10-0-0-5`); bare integers and 2–3 part shorthand (`127.1`) are left alone, since they are
 * indistinguishable from numbers and no library prints addresses that way.
 */
export type UnsafeKind = 'secret' | 'url' | 'address' | 'ip' | 'host' | 'domain';

/** Longest input that is scanned; the rest is dropped (a detail line is far shorter). */
const MAX_SCAN = 20_000;

interface Pass {
  kind: UnsafeKind;
  apply(text: string): string;
}

const PASSES: readonly Pass[] = [
  {
    kind: 'secret',
    apply: (t) =>
      t
        // Telegram bot tokens (`123456789:AA…`), wherever they come from.
        .replace(/\d{5,12}:[A-Za-z0-9_-]{30,}/g, '[secret]')
        .replace(/\b(password|passwd|passphrase|secret|token|api[_-]?key)(\s*[=:]\s*)(?!\[secret\])[^\s,;]+/gi, '$1$2[secret]'),
  },
  { kind: 'url', apply: (t) => t.replace(/[a-z][a-z0-9+.-]{0,30}:\/\/[^\s<>"'`]*/gi, '[url]') },
  {
    kind: 'address',
    // Whole tokens around an `@` (a `local@host` regex backtracks quadratically on long runs);
    // this also catches `root@db01` and `git@host:repo`, where the part after `@` is a host.
    apply: (t) => t.replace(/[^\s<>"'`(),;[\]]+/g, (w) => (/@[\p{L}\p{N}]/u.test(w) ? '[address]' : w)),
  },
  { kind: 'ip', apply: (t) => redactIPv6(t) },
  {
    kind: 'host',
    apply: (t) =>
      t
        // Node's resolver errors name the host right after the code: `getaddrinfo ENOTFOUND db01`.
        .replace(/\b(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA)(\s+)(?!\[)[^\s,;:'"()[\]]+/g, '$1$2[host]')
        // nginx quotes single-label upstream hosts: `host not found in upstream "app1:8080"`.
        .replace(/\b(upstream|resolve|host)(\s+)"(?!\[host\]")[^"\n]*"/gi, '$1$2"[host]"'),
  },
  { kind: 'domain', apply: (t) => redactNames(t) },
  // After names, so that a placeholder never splits a name into pieces that look harmless
  // (`aa0.c1-2-3-4.com` must not become `aa0.c[ip].com`); names leave dotted quads to this pass.
  {
    kind: 'ip',
    apply: (t) =>
      t
        .replace(/(?:0x[0-9a-f]{1,2}|\d{1,3})(?:\.(?:0x[0-9a-f]{1,2}|\d{1,3})){3}/gi, '[ip]')
        .replace(/(?<!\d)\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?!\d)/g, '[ip]'),
  },
  { kind: 'host', apply: (t) => t.replace(/\blocalhost\b/gi, '[host]') },
];

/**
 * Returns `text` with every address, URL, e-mail, secret and host name replaced and every
 * domain name masked, control and invisible format characters removed, and the result cut to
 * `maxLength` code points. Idempotent.
 */
export function sanitizeText(text: string, options: { maxLength?: number } = {}): string {
  return truncate(applyPasses(normalize(text)), options.maxLength ?? MAX_SCAN);
}

/**
 * All passes, repeated until nothing changes. One round nearly always suffices; a second is
 * needed when masking hides what classified a name (`a.svc.x` masks to `a***.s***.x`, and
 * without the `svc` marker the trailing `x` is a label too). Repeating keeps the output a
 * fixed point, which is what lets `findUnsafe` vouch for sanitized text.
 */
function applyPasses(text: string): string {
  let out = text;
  for (let round = 0; round < 4; round++) {
    let next = out;
    for (const pass of PASSES) next = pass.apply(next);
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Which kinds of unsafe content `text` contains (empty when `sanitizeText` would only normalize it). */
export function findUnsafe(text: string): UnsafeKind[] {
  const found = new Set<UnsafeKind>();
  let current = normalize(text);
  for (const pass of PASSES) {
    const next = pass.apply(current);
    if (next !== current) found.add(pass.kind);
    current = next;
  }
  return [...found];
}

/** Thrown by `assertSafe` outside production; names what leaked, never the content itself. */
export class UnsafeMessageError extends Error {
  constructor(readonly kinds: UnsafeKind[]) {
    super(`Telegram message would leak: ${kinds.join(', ')}`);
    this.name = 'UnsafeMessageError';
  }
}

/**
 * The last guard on a composed Telegram HTML message. Reads the visible text (tags dropped,
 * entities decoded, so nothing can hide across a tag or behind `&#46;`) and, if any unsafe
 * content is left, throws in development and tests (a composer bug must fail loudly) or, in
 * production, returns the message flattened to sanitized plain text: a slightly uglier alert
 * beats a lost one or a leaked address.
 */
export function assertSafe(html: string, options: { mode?: 'throw' | 'redact' } = {}): string {
  const mode = options.mode ?? (process.env.NODE_ENV === 'production' ? 'redact' : 'throw');
  const kinds = findUnsafe(htmlToText(html));
  if (kinds.length === 0) return html;
  if (mode === 'throw') throw new UnsafeMessageError(kinds);
  console.warn(`alerts: redacted ${kinds.join(', ')} from a Telegram message`);
  return escapeHtml(sanitizeText(htmlToText(html)));
}

function normalize(text: string): string {
  let t = text.length > MAX_SCAN ? dropPartialTail(text.slice(0, MAX_SCAN)) : text;
  // NFKC folds full-width digits and dots; ideographic full stops separate labels in IDNA too.
  t = t.normalize('NFKC').replace(/[\u3002\uff61]/g, '.');
  // Zero-width and bidi controls could split an address so no pattern sees it.
  return t.replace(/\r\n?/g, '\n').replace(/[\p{Cf}]|[^\P{Cc}\n\t]/gu, '');
}

function dropPartialTail(text: string): string {
  const cut = text.search(/\s\S*$/);
  return cut > 0 ? text.slice(0, cut) : '';
}

/**
 * Cutting can turn a safe word into an unsafe one (`nginx.conf` cut to `nginx.co` ends in a
 * TLD), so the cut text is sanitized again until it is stable; masking can lengthen it, hence
 * the loop. Cuts prefer a word boundary so that most words are never split at all.
 */
function truncate(text: string, max: number): string {
  let out = text;
  for (let round = 0; round < 4; round++) {
    const chars = [...out];
    if (chars.length <= max) return out;
    let head = chars.slice(0, Math.max(0, max - 1)).join('');
    const space = head.search(/\s\S*$/);
    if (space >= head.length / 2) head = head.slice(0, space);
    const cut = `${head}…`;
    const again = applyPasses(cut);
    if (again === cut) return cut;
    out = again;
  }
  return '…';
}

/**
 * IPv6 in every textual form node accepts (compressed, IPv4-mapped, with a zone id), bare or
 * bracketed. A regex for all of them is unreadable, so runs of hex digits, colons and dots with
 * at least two colons are found first and the longest valid address starting at each position is
 * checked with `net.isIPv6`. Over-redacts things like `std::vector` (`d::` is a valid address).
 */
function redactIPv6(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/[0-9a-f:.]+/gi)) {
    const run = match[0];
    const base = match.index;
    if (run.split(':').length < 3) continue;
    for (let i = Math.max(0, last - base); i < run.length; ) {
      const end = longestIPv6At(run, i);
      if (end < 0) {
        i++;
        continue;
      }
      let from = base + i;
      let to = base + end;
      const zone = /^%[\w.-]+/.exec(text.slice(to, to + 64))?.[0] ?? '';
      to += zone.length;
      if (text[from - 1] === '[' && text[to] === ']') {
        from--;
        to++;
      }
      out += `${text.slice(last, from)}[ip]`;
      last = to;
      i = to - base;
    }
  }
  return out + text.slice(last);
}

function longestIPv6At(run: string, start: number): number {
  // The longest textual IPv6 (full form with an embedded IPv4) is 45 characters.
  for (let end = Math.min(run.length, start + 45); end > start + 1; end--) {
    if (isIPv6(run.slice(start, end))) return end;
  }
  return -1;
}

const IPV4_OCTET = /^(?:0x[0-9a-f]{1,2}|\d{1,3})$/i;

/** Pseudo-TLDs used on private networks: never public suffixes, always host names. */
const INTERNAL_TLDS = new Set([
  'local', 'lan', 'internal', 'intranet', 'corp', 'home', 'localdomain', 'localhost', 'test',
  'example', 'invalid', 'private', 'priv', 'intern', 'svc', 'cluster', 'consul', 'docker', 'vpn',
]);

/** Last labels that make a dotted word a file name rather than a host name. */
export const KEPT_FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'conf', 'cfg', 'ini', 'json', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'txt', 'log', 'pem', 'crt',
  'cer', 'key', 'csr', 'der', 'p12', 'yml', 'yaml', 'toml', 'xml', 'html', 'htm', 'css', 'd',
  'service', 'socket', 'timer', 'sock', 'pid', 'lock', 'bak', 'old', 'orig', 'tmp', 'swp', 'gz',
  'tgz', 'bz2', 'xz', 'zst', 'tar', 'db', 'sqlite', 'sql', 'lua', 'rb', 'go', 'c', 'h', 'cpp',
  'so', 'dll', 'exe', 'bin', 'env', 'default', 'list', 'repo', 'rules', 'types', 'map',
]);

/**
 * Dotted names. Runs of label characters and dots are split by hand (a regex like
 * `(label\.)+label` backtracks quadratically on long dotless runs). `*` counts as a label
 * character so that already-masked labels stay part of their name.
 */
function redactNames(text: string): string {
  return text.replace(/[\p{L}\p{N}\p{M}_*.-]+/gu, (run) => {
    if (!run.includes('.')) return run;
    const parts = run.split('.');
    for (let i = 0; i < parts.length; ) {
      let j = i;
      while (j < parts.length && parts[j] !== '') j++;
      if (j - i >= 2) parts.splice(i, j - i, ...redactName(parts.slice(i, j)));
      i = j + 1;
    }
    return parts.join('.');
  });
}

/** Masks one dotted name; returns as many labels as it was given. */
function redactName(labels: string[]): string[] {
  // A dotted quad inside a name (`10.0.0.5.nip.io`) is left whole for the IPv4 pass; the
  // labels around it are names of their own.
  const quad = labels.findIndex((_, i) => i + 4 <= labels.length && labels.slice(i, i + 4).every((l) => IPV4_OCTET.test(l)));
  if (quad >= 0) {
    const before = labels.slice(0, quad);
    const after = labels.slice(quad + 4);
    return [
      ...(before.length >= 2 ? redactName(before) : before),
      ...labels.slice(quad, quad + 4),
      ...(after.length >= 2 ? redactName(after) : after),
    ];
  }
  // The longest prefix that ends in a public suffix is a domain; what follows is a file
  // extension or similar (`shop.example.com.conf`).
  for (let k = labels.length; k >= 2; k--) {
    const last = labels[k - 1]!;
    if (!/^\p{L}/u.test(last)) continue;
    const prefix = labels.slice(0, k);
    const suffixLabels = publicSuffixLabelCount(prefix);
    if ((suffixLabels >= 1 && suffixLabels < k) || INTERNAL_TLDS.has(last.toLowerCase())) {
      return [...maskDomain(prefix.join('.')).split('.'), ...labels.slice(k)];
    }
  }
  // No public suffix: the longest prefix ending in a label that starts with a letter is still a
  // host name (`db01.staging`, `app.lan.0`), unless it is a file name or `e.g`-style prose.
  // Versions and numbers with units (`1.22.1`, `1.5G`) have no such prefix and stay.
  for (let k = labels.length; k >= 2; k--) {
    const last = labels[k - 1]!;
    if (!/^\p{L}/u.test(last)) continue;
    const prefix = labels.slice(0, k);
    if (KEPT_FILE_EXTENSIONS.has(last.toLowerCase()) || prefix.every((l) => [...l].length <= 1)) return labels;
    return [...maskDomain(prefix.join('.')).split('.'), ...labels.slice(k)];
  }
  return labels;
}
