import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALERT_KINDS, ALERT_STATES, composeAlertMessage, type AlertMessageInput } from '@/lib/alerts/messages';
import { findUnsafe, KEPT_FILE_EXTENSIONS, sanitizeText } from '@/lib/alerts/sanitize';
import { htmlToText } from '@/lib/alerts/html';

/**
 * Property tests for DESIGN.md "Alerting": whatever addresses, names, URLs and error strings
 * reach a composer, the Telegram text holds no IP, no URL, no e-mail, no unmasked domain label,
 * and is HTML Telegram accepts. The checks below do not reuse the sanitizer's detectors: they
 * look for the exact strings that were generated.
 */

// ALERTS_FUZZ_RUNS=50000 for a long local hunt; the default keeps the unit suite quick.
const RUNS = Number(process.env.ALERTS_FUZZ_RUNS ?? 500);

// Non-suffix labels start with a letter and end with a digit, so they never equal a public
// suffix, a template word or a date: finding one as a whole word in the output means a label was
// not masked (masking keeps at most its first two and last two characters).
const label = fc.stringMatching(/^[a-z][a-z0-9-]{1,14}[0-9]$/);
const unicodeLabel = fc.constantFrom('bücher1', 'пример2', 'ñandú3', 'straße4');
const suffix = fc.constantFrom(
  'com', 'net', 'org', 'io', 'de', 'dev', 'app', 'cloud', 'co.uk', 'org.uk', 'gov.uk', 'com.au',
  'co.jp', 'xn--p1ai', 'рф', 'internal', 'lan', 'local',
);
const domain = fc
  .tuple(fc.array(fc.oneof({ weight: 4, arbitrary: label }, { weight: 1, arbitrary: unicodeLabel }), { minLength: 1, maxLength: 3 }), suffix)
  .map(([labels, sfx]) => ({ labels, fqdn: [...labels, sfx].join('.') }));

const ipv6 = fc.oneof(
  fc.ipV6(),
  fc.ipV6().map((ip) => ip.toUpperCase()),
  fc.ipV6().map((ip) => `${ip}%eth0`),
  fc.ipV6().map((ip) => `[${ip}]`),
  fc.ipV6().map((ip) => `[${ip}]:8443`),
  fc.ipV4().map((ip) => `::ffff:${ip}`),
);
const ipv4 = fc.oneof(fc.ipV4(), fc.ipV4().map((ip) => `${ip}:22`));
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.constantFrom('ssh', 'ftp', 'postgres', 'redis', 'ws', 'HTTPS'), domain).map(([s, d]) => `${s}://${d.fqdn}/x`),
  fc.tuple(ipv4, fc.nat(65535)).map(([ip, port]) => `http://${ip.split(':')[0]}:${port}/api/4/status`),
);
const email = fc.emailAddress();

type Piece = { text: string; ips: string[]; domains: { labels: string[]; fqdn: string }[]; urls: string[]; emails: string[] };
const word = fc.stringMatching(/^[A-Za-z]{1,10}$/).map((text): Piece => ({ text, ips: [], domains: [], urls: [], emails: [] }));
const piece = fc.oneof(
  word,
  ipv4.map((ip): Piece => ({ text: ip, ips: [ip.replace(/:\d+$/, '')], domains: [], urls: [], emails: [] })),
  ipv6.map((ip): Piece => ({ text: ip, ips: [ip.replace(/^\[|\](:\d+)?$|%eth0$/g, '')], domains: [], urls: [], emails: [] })),
  domain.map((d): Piece => ({ text: d.fqdn, ips: [], domains: [d], urls: [], emails: [] })),
  url.map((u): Piece => ({ text: u, ips: [], domains: [], urls: [u], emails: [] })),
  email.map((e): Piece => ({ text: e, ips: [], domains: [], urls: [], emails: [e] })),
  fc.constantFrom('<', '>', '&', '"', '<b>', '</code>', '&amp;', '&#46;').map((text): Piece => ({ text, ips: [], domains: [], urls: [], emails: [] })),
);
// Separators never glue two pieces into one token (no lone '.', ':' or '@').
const separator = fc.constantFrom(' ', ', ', ': ', ' (', ') ', ' "', '" ', "'", '/', '\n', ' = ', '\t', ' - ');
const errorText = fc.array(fc.tuple(piece, separator), { minLength: 1, maxLength: 8 }).map((parts) => {
  const all: Piece = { text: '', ips: [], domains: [], urls: [], emails: [] };
  for (const [p, sep] of parts) {
    all.text += p.text + sep;
    all.ips.push(...p.ips);
    all.domains.push(...p.domains);
    all.urls.push(...p.urls);
    all.emails.push(...p.emails);
  }
  return all;
});

/**
 * `input` is all outside text that went in: a label that also stands alone there (outside the
 * generated domains, e.g. in a shrunk e-mail's local part) may rightly appear in the output.
 */
function expectNoLeak(text: string, leaks: Piece, input: string): void {
  const lower = text.toLowerCase();
  let elsewhere = input.toLowerCase();
  for (const d of leaks.domains) elsewhere = elsewhere.split(d.fqdn).join(' ');
  for (const ip of leaks.ips) expect(lower).not.toContain(ip.toLowerCase());
  for (const u of leaks.urls) expect(text).not.toContain(u);
  for (const e of leaks.emails) expect(text).not.toContain(e);
  for (const d of leaks.domains) {
    expect(lower).not.toContain(d.fqdn);
    for (const l of d.labels) {
      const word = new RegExp(`(?<![\\p{L}\\p{N}_-])${l}(?![\\p{L}\\p{N}_-])`, 'u');
      if ([...l].length < 3 || word.test(elsewhere)) continue;
      expect(lower).not.toMatch(word);
    }
  }
  expect(text).not.toMatch(/[a-z][a-z0-9+.-]*:\/\//i);
  expect(text).not.toMatch(/@[\p{L}\p{N}]/u);
  expect(text).not.toMatch(/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/);
}

/** What Telegram's HTML parser demands of the tags we use: known tags, properly nested, no raw `<`, `>` or `&`. */
function expectTelegramHtml(html: string): void {
  const stack: string[] = [];
  const token = /<(\/?)(b|i|code)>|&(?:lt|gt|amp|quot);|([<>&])/g;
  for (const m of html.matchAll(token)) {
    expect(m[3], `raw ${m[3]} in ${JSON.stringify(html)}`).toBeUndefined();
    if (!m[2]) continue;
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else {
      expect(stack, 'nothing nests inside <code>').not.toContain('code');
      stack.push(m[2]);
    }
  }
  expect(stack).toEqual([]);
  expect([...htmlToText(html)].length).toBeLessThanOrEqual(4096);
}

const plain = (text: string): Piece => ({ text, ips: [], domains: [], urls: [], emails: [] });
// Names are outside text too: an admin may call a server `10.0.0.5` or `web1.example.com`.
const nameText = fc.oneof(fc.constantFrom('web-1', 'db primary', 'Edge <EU> & co').map(plain), errorText);
const mountText = fc.oneof(fc.constant(plain('/var/lib')), errorText.map((e) => ({ ...e, text: `/mnt/${e.text}` })));

describe('sanitizeText on random error strings', () => {
  it('leaves no address, URL, e-mail or unmasked domain', () => {
    fc.assert(
      fc.property(errorText, (err) => {
        const out = sanitizeText(err.text);
        expectNoLeak(out, err, err.text);
        expect(sanitizeText(out)).toBe(out);
        expect(findUnsafe(out)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, 60_000 + RUNS * 20);

  it('handles fast-check’s own domains and extended IPv4 forms without leaking dotted quads', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()), { maxLength: 6 }), (names) => {
        const out = sanitizeText(names.join(' '));
        // File names (`a.key`, `x.conf`) are kept on purpose; everything else must change.
        for (const n of names) if (!KEPT_FILE_EXTENSIONS.has(n.split('.').pop()!)) expect(out).not.toContain(n);
        expect(findUnsafe(out)).toEqual([]);
      }),
      { numRuns: RUNS / 2 },
    );
  }, 60_000 + RUNS * 20);
});

describe('composeAlertMessage for every kind and state', () => {
  const input = fc.record({
    kind: fc.constantFrom(...ALERT_KINDS),
    state: fc.constantFrom(...ALERT_STATES),
    severity: fc.constantFrom('info' as const, 'warning' as const, 'critical' as const),
    serverName: fc.option(nameText, { nil: undefined }),
    domain: fc.option(domain, { nil: undefined }),
    upstreamName: fc.option(nameText, { nil: undefined }),
    mount: fc.option(mountText, { nil: undefined }),
    value: fc.option(fc.double({ min: -10, max: 1000, noNaN: true }), { nil: undefined }),
    threshold: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
    durationSeconds: fc.option(fc.nat(10 * 86_400), { nil: undefined }),
    detail: fc.option(errorText, { nil: undefined }),
  });

  it('never leaks and always yields valid Telegram HTML', () => {
    fc.assert(
      fc.property(input, (i) => {
        const message: AlertMessageInput = {
          kind: i.kind,
          state: i.state,
          severity: i.severity,
          server: i.serverName && { name: i.serverName.text },
          domain: i.domain && { fqdn: i.domain.fqdn },
          upstream: i.upstreamName && { name: i.upstreamName.text },
          mount: i.mount?.text,
          value: i.value,
          threshold: i.threshold,
          durationSeconds: i.durationSeconds,
          startedAt: '2025-11-26T05:37:00Z',
          resolvedAt: '2025-11-26T06:49:30Z',
          now: '2025-11-26T08:00:00Z',
          detail: i.detail?.text,
        };
        // mode 'throw': a leak the guard catches fails the property too.
        const html = composeAlertMessage(message, { mode: 'throw' });
        expectTelegramHtml(html);
        const leaks: Piece = { text: '', ips: [], domains: [], urls: [], emails: [] };
        for (const source of [i.detail, i.serverName, i.upstreamName, i.mount, i.domain && { ...plain(''), domains: [i.domain] }]) {
          if (!source) continue;
          leaks.ips.push(...source.ips);
          leaks.domains.push(...source.domains);
          leaks.urls.push(...source.urls);
          leaks.emails.push(...source.emails);
        }
        const input = [i.serverName, i.upstreamName, i.mount, i.detail].map((p) => p?.text ?? '').join(' ');
        expectNoLeak(htmlToText(html), leaks, input);
        expectNoLeak(html, leaks, input);
      }),
      { numRuns: RUNS },
    );
  }, 60_000 + RUNS * 20);
});
