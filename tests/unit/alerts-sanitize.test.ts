import { describe, expect, it } from 'vitest';
import { assertSafe, describeError, findUnsafe, sanitizeText, UnsafeMessageError } from '@/lib/alerts/sanitize';
import { decodeHtml, escapeHtml, htmlToText } from '@/lib/alerts/html';

describe('sanitizeText', () => {
  it.each([
    // IPv4
    ['connect ECONNREFUSED 10.0.0.5:61208', 'connect ECONNREFUSED [ip]:61208'],
    ['from 010.000.000.005 and 0x7f.0.0.1', 'from [ip] and [ip]'],
    ['ec2 name ip-10-0-0-5 here', 'ec2 name ip-[ip] here'],
    ['reverse 5.0.0.10.in-addr.arpa', 'reverse [ip].in***dr.arpa'],
    // IPv6, every form
    ['at 2001:db8::1 now', 'at [ip] now'],
    ['at 2001:0db8:0000:0000:0000:ff00:0042:8329.', 'at [ip].'],
    ['loopback ::1 and any ::', 'loopback [ip] and any [ip]'],
    ['mapped ::ffff:192.0.2.1', 'mapped [ip]'],
    ['link fe80::1%eth0 up', 'link [ip] up'],
    ['connect ECONNREFUSED [2001:db8::5]:443', 'connect ECONNREFUSED [ip]:443'],
    ['UPPER 2001:DB8::ABCD', 'UPPER [ip]'],
    // URLs, any scheme, including credentials and the bot token in the path
    ['GET https://user:pw@example.com:8443/x?y=1#z failed', 'GET [url] failed'],
    ['see ssh://root@10.0.0.5 and postgres://u:p@db/app', 'see [url] and [url]'],
    ['POST http://127.0.0.1:8081/bot123:abc/sendMessage', 'POST [url]'],
    // E-mail and user@host
    ['mail admin@example.com, root@db01', 'mail [address], [address]'],
    // Host names: with a public suffix they are masked, internal ones fully masked
    ['upstream api.shop.example.com:443 down', 'upstream a***.s***.ex***le.com:443 down'],
    ['no route to db01.internal', 'no route to d***.in***al'],
    ['www.example.org/path', 'w***.ex***le.org/path'],
    ['getaddrinfo ENOTFOUND db01', 'getaddrinfo ENOTFOUND [host]'],
    ['getaddrinfo EAI_AGAIN db01.example.com', 'getaddrinfo EAI_AGAIN [host]'],
    ['nginx: [emerg] host not found in upstream "app1:8080" in /etc/nginx/x.conf:3', 'nginx: [emerg] host not found in upstream "[host]" in /etc/nginx/x.conf:3'],
    ['connect to localhost failed', 'connect to [host] failed'],
    // Paths stay readable, names inside them do not
    ['in /etc/nginx/sites/shop.example.com.conf:12', 'in /etc/nginx/sites/s***.ex***le.com.conf:12'],
    ['configuration file /etc/nginx/nginx.conf test failed', 'configuration file /etc/nginx/nginx.conf test failed'],
    // Secrets
    ['bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', 'bot [secret]'],
    ['password=hunter2 token: abc', 'password=[secret] token: [secret]'],
    // Things that are not addresses stay
    ['nginx/1.22.1, 1.5G free, 93.4% at 2025-11-26 05:37:12', 'nginx/1.22.1, 1.5G free, 93.4% at 2025-11-26 05:37:12'],
    ['mac aa:bb:cc:dd:ee:ff, e.g. this', 'mac aa:bb:cc:dd:ee:ff, e.g. this'],
  ])('%s', (input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it('sees through invisible characters and full-width forms', () => {
    expect(sanitizeText('ip 10\u200b.0.0.1')).toBe('ip [ip]');
    expect(sanitizeText('１０．０．０．１')).toBe('[ip]');
    expect(sanitizeText('exa\u200bmple.com')).toBe('ex***le.com');
    expect(sanitizeText('example。com')).toBe('ex***le.com');
    expect(sanitizeText('a\u202eb\u0007c\r\nd')).toBe('abc\nd');
  });

  it('cuts long text and never leaves half an address at the cut', () => {
    expect(sanitizeText('x'.repeat(50), { maxLength: 10 })).toBe(`${'x'.repeat(9)}…`);
    const long = `${'word '.repeat(5000)}10.20.30.40`;
    expect(sanitizeText(long)).not.toMatch(/10\.20\.30/);
  });

  it('stays fast on hostile input', () => {
    const start = performance.now();
    sanitizeText('a'.repeat(20_000));
    sanitizeText('1:'.repeat(10_000));
    sanitizeText('a.'.repeat(10_000));
    sanitizeText('a@'.repeat(10_000));
    // Generous: a quadratic regex would take many seconds here.
    expect(performance.now() - start).toBeLessThan(5_000);
  });

  it('is idempotent and leaves nothing findUnsafe would report', () => {
    const text = 'ECONNREFUSED 10.0.0.5 https://x.example.com shop.example.com fe80::1 a@b.io';
    const once = sanitizeText(text);
    expect(sanitizeText(once)).toBe(once);
    expect(findUnsafe(once)).toEqual([]);
    expect(findUnsafe(text).sort()).toEqual(['address', 'domain', 'ip', 'url']);
  });
});

describe('describeError', () => {
  const withCode = (code: string, message = `connect ${code} 10.0.0.5:443`) => Object.assign(new Error(message), { code });

  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ETIMEDOUT', 'timed out'],
    ['ENOTFOUND', 'name not resolved'],
    ['EAI_AGAIN', 'name not resolved'],
    ['EHOSTUNREACH', 'host unreachable'],
    ['ECONNRESET', 'connection reset'],
    ['CERT_HAS_EXPIRED', 'certificate expired'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate name mismatch'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timed out'],
  ])('%s → %s', (code, phrase) => {
    expect(describeError(withCode(code))).toBe(phrase);
  });

  it('follows cause chains and AggregateErrors (what fetch and happy-eyeballs throw)', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: new AggregateError([withCode('ECONNREFUSED')], 'x') });
    expect(describeError(fetchFailed)).toBe('connection refused');
  });

  it('maps HTTP statuses, timeouts and ssh2 levels', () => {
    expect(describeError({ statusCode: 503 })).toBe('HTTP 503 (service unavailable)');
    expect(describeError({ response: { status: 404 } })).toBe('HTTP 404 (not found)');
    expect(describeError(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe('timed out');
    expect(describeError(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }))).toBe('authentication failed');
  });

  it('never echoes the raw message', () => {
    expect(describeError(new Error('boom at https://10.0.0.5/secret'))).toBe('unexpected error');
    expect(describeError('a string 10.0.0.5')).toBe('unexpected error');
    expect(describeError(null)).toBe('unexpected error');
  });
});

describe('escaping and assertSafe', () => {
  it('escapes the characters Telegram HTML reserves', () => {
    expect(escapeHtml(`<b>&"x"</b>`)).toBe('&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;');
    expect(decodeHtml(escapeHtml(`<a & "b">`))).toBe(`<a & "b">`);
    expect(htmlToText('<b>1&#46;2</b>&amp;')).toBe('1.2&');
  });

  it('passes safe HTML through untouched', () => {
    const html = '<b>Critical</b> · CPU on <b>web-1</b> s***.ex***le.com [ip]';
    expect(assertSafe(html, { mode: 'throw' })).toBe(html);
  });

  it('throws outside production, naming the kind but not the content', () => {
    expect(() => assertSafe('<b>10.0.0.5</b>', { mode: 'throw' })).toThrow(UnsafeMessageError);
    try {
      assertSafe('<i>shop.example.com</i>', { mode: 'throw' });
    } catch (err) {
      expect((err as Error).message).not.toContain('example');
      expect((err as UnsafeMessageError).kinds).toEqual(['domain']);
    }
  });

  it('sees addresses split across tags or hidden behind entities', () => {
    expect(() => assertSafe('<b>10.0</b>.0.5', { mode: 'throw' })).toThrow(UnsafeMessageError);
    expect(() => assertSafe('shop&#46;example&#x2e;com', { mode: 'throw' })).toThrow(UnsafeMessageError);
  });

  it('redacts in production mode', () => {
    const out = assertSafe('<b>down</b> at 10.0.0.5 &amp; shop.example.com', { mode: 'redact' });
    expect(out).toBe('down at [ip] &amp; s***.ex***le.com');
  });
});
