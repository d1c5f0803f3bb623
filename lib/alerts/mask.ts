import { parse } from 'tldts';
import { domainToUnicode } from 'node:url';

/**
 * Domain masking for Telegram text (CONTRACT.md "Telegram"): the public suffix stays, every
 * other label keeps at most its first two and last two characters around `***`, and labels of
 * four characters or fewer keep only their first.
 *
 * Decisions, so that every caller masks the same way:
 * - Public suffixes come from the ICANN section of the Public Suffix List only. Private-section
 *   rules would keep far too much: `*.compute-1.amazonaws.com` makes a whole EC2 host name (with
 *   its IP in it) a "public suffix", and `myhome.dyndns.org` would stay readable.
 * - A name whose last label is not an ICANN suffix (`db01.internal`, `nas.lan`, `localhost`) has
 *   no public suffix: every label is masked.
 * - A name that is nothing but a public suffix keeps only its top-level label: `co.uk` →
 *   `c***.uk`. Wildcard rules make every `x.er` or `x.ck` a "public suffix", and a text that
 *   says `shop.er` most likely means a host.
 * - Five-character labels follow the contract literally: `abcde` → `ab***de`.
 * - IDN labels are masked in their Unicode form (`xn--bcher-kva.de` and `bücher.de` both give
 *   `bü***er.de`), counting code points, because that is the form an admin recognises; an
 *   undecodable `xn--` label is masked as ASCII.
 * - Masking is idempotent (`maskDomain(maskDomain(x)) === maskDomain(x)`), which lets the
 *   sanitizer run over text that already holds masked names.
 * - Letter case is kept; a trailing root dot is dropped.
 */
export function maskDomain(fqdn: string): string {
  const labels = fqdn.trim().replace(/\.$/, '').split('.').map(labelToUnicode);
  // A name that is wholly a public suffix (`co.uk`, or `shop.er` under the `*.er` rule)
  // keeps only its top-level label.
  const suffix = publicSuffixLabelCount(labels);
  const keep = labels.length === 1 ? suffix : Math.min(suffix, labels.length - 1);
  return labels.map((label, i) => (i >= labels.length - keep ? label : maskLabel(label))).join('.');
}

/** One label: ≤ 4 code points keep the first, longer ones the first two and last two. */
export function maskLabel(label: string): string {
  const chars = [...label];
  if (chars.length === 0) return '';
  if (chars.length <= 4) return `${chars[0]}***`;
  return `${chars.slice(0, 2).join('')}***${chars.slice(-2).join('')}`;
}

/**
 * How many trailing labels form an ICANN public suffix (0 when the name has none). Works on
 * text that already contains masked labels: tldts matches suffixes from the right and is told
 * not to validate, so `***` in the left labels does not matter.
 */
export function publicSuffixLabelCount(labels: readonly string[]): number {
  if (labels.length === 0) return 0;
  const name = labels.join('.').toLowerCase();
  const result = parse(name, {
    allowIcannDomains: true,
    allowPrivateDomains: false,
    extractHostname: false,
    validateHostname: false,
    detectIp: false,
  });
  if (!result.isIcann || !result.publicSuffix) return 0;
  return Math.min(result.publicSuffix.split('.').length, labels.length);
}

function labelToUnicode(label: string): string {
  if (!/^xn--/i.test(label)) return label;
  const unicode = domainToUnicode(label);
  return unicode && !unicode.includes('.') ? unicode : label;
}
