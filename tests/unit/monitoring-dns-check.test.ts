import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import {
  checkNameservers,
  formatResolverAddress,
  nameMatchesPattern,
  nameserversMatch,
  normaliseName,
  parseResolverAddress,
  parseResolverList,
  registrableZone,
} from '@/lib/monitoring/dns-check';
import { ValidationError } from '@/lib/errors';

describe('resolver addresses', () => {
  it.each([
    ['8.8.8.8', { host: '8.8.8.8', port: 53 }, '8.8.8.8:53'],
    [' 127.0.0.1:5353 ', { host: '127.0.0.1', port: 5353 }, '127.0.0.1:5353'],
    ['2001:db8::1', { host: '2001:db8::1', port: 53 }, '[2001:db8::1]:53'],
    ['::1', { host: '::1', port: 53 }, '[::1]:53'],
    ['[2001:db8::1]:5300', { host: '2001:db8::1', port: 5300 }, '[2001:db8::1]:5300'],
    ['[::1]', { host: '::1', port: 53 }, '[::1]:53'],
  ])('%s', (input, parsed, formatted) => {
    expect(parseResolverAddress(input)).toEqual(parsed);
    expect(formatResolverAddress(parsed)).toBe(formatted);
  });

  it.each(['dns.google', 'dns.google:53', '8.8.8.8:0', '8.8.8.8:70000', '8.8.8.8:abc', '[8.8.8.8]:53', '999.1.1.1', ''])('rejects %j', (input) => {
    expect(() => parseResolverAddress(input)).toThrow(ValidationError);
  });

  it('parses DNS_SERVERS-style lists', () => {
    expect(parseResolverList('8.8.8.8, 1.1.1.1  127.0.0.1:5353,').map(formatResolverAddress)).toEqual(['8.8.8.8:53', '1.1.1.1:53', '127.0.0.1:5353']);
    expect(parseResolverList(['[::1]:53'])).toEqual([{ host: '::1', port: 53 }]);
    expect(parseResolverList('')).toEqual([]);
  });
});

describe('names', () => {
  it('normalises case, trailing dots and IDN', () => {
    expect(normaliseName('NS1.Example.COM.')).toBe('ns1.example.com');
    expect(normaliseName('ns.bücher.de')).toBe('ns.xn--bcher-kva.de');
    // domainToASCII would cut this to "ns": a typo must stay a typo, not become a match.
    expect(normaliseName('ns?.example.net')).toBe('ns?.example.net');
    expect(nameserversMatch(['ns'], { nameservers: ['ns?.example.net'] })).toBe(false);
  });

  it.each([
    ['www.example.com', 'example.com'],
    ['a.b.shop.example.co.uk', 'example.co.uk'],
    ['Example.COM.', 'example.com'],
    ['www.bücher.de', 'xn--bcher-kva.de'],
    ['site.example.test', 'example.test'],
    ['co.uk', null],
    ['192.0.2.1', null],
    ['localhost', null],
  ])('registrable zone of %s is %s', (fqdn, zone) => {
    expect(registrableZone(fqdn)).toBe(zone);
  });

  it.each([
    ['ada.ns.cloudflare.com', '*.ns.cloudflare.com', true],
    ['ADA.NS.CLOUDFLARE.COM.', '*.ns.cloudflare.com', true],
    ['a.b.ns.cloudflare.com', '*.ns.cloudflare.com', false], // * stays within one label
    ['ns.cloudflare.com.evil.net', '*.ns.cloudflare.com', false],
    ['ns1.example.net', 'ns?.example.net', true],
    ['ns12.example.net', 'ns*.example.net', true],
    ['nsxexample.net', 'ns.example.net', false], // dots are literal
  ])('%s matches %s: %s', (name, pattern, ok) => {
    expect(nameMatchesPattern(name, pattern)).toBe(ok);
  });
});

describe('nameserversMatch', () => {
  const expected = { nameservers: ['ns1.example.net', 'NS2.example.net.'] };
  it.each([
    [['ns2.example.net', 'ns1.example.net'], true],
    [['NS1.EXAMPLE.NET.', 'ns2.example.net.', 'ns1.example.net'], true], // duplicates collapse
    [['ns1.example.net'], false],
    [['ns1.example.net', 'ns2.example.net', 'ns3.example.net'], false],
    [[], false],
  ])('exact set: %j → %s', (found, ok) => {
    expect(nameserversMatch(found, expected)).toBe(ok);
  });

  it('pattern: every name must match', () => {
    const p = { pattern: '*.ns.cloudflare.com' };
    expect(nameserversMatch(['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'], p)).toBe(true);
    expect(nameserversMatch(['ada.ns.cloudflare.com', 'ns1.other.net'], p)).toBe(false);
  });

  it('exact names win over a pattern; nothing expected accepts any delegation', () => {
    expect(nameserversMatch(['ns1.example.net', 'ns2.example.net'], { ...expected, pattern: '*.nowhere' })).toBe(true);
    expect(nameserversMatch(['x.y.z'], {})).toBe(true);
    expect(nameserversMatch([], {})).toBe(false);
  });
});

describe('checkNameservers without an answering DNS server', () => {
  it('is an error for a name that has no registrable zone', async () => {
    const r = await checkNameservers('co.uk', { resolvers: ['127.0.0.1'], expected: {} });
    expect(r).toMatchObject({ status: 'error', zone: null, perResolver: [] });
  });

  it('is an error, with plain messages and no address, when no server answers', async () => {
    // A UDP port nobody listens on: the query is refused or times out, quickly either way.
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = sock.address().port;
    await new Promise<void>((r) => sock.close(() => r()));

    const r = await checkNameservers('www.example.com', { resolvers: [`127.0.0.1:${port}`], expected: { nameservers: ['a.example.net'] }, timeoutMs: 200, tries: 1 });
    expect(r.status).toBe('error');
    expect(r.zone).toBe('example.com');
    expect(r.perResolver).toHaveLength(1);
    expect(r.perResolver[0]).toMatchObject({ resolver: `127.0.0.1:${port}`, status: 'error' });
    expect(r.message).toMatch(/^No DNS server answered\./);
    expect(r.message).not.toMatch(/127\.0\.0\.1|\d+\.\d+\.\d+\.\d+/);
    expect(r.message).not.toContain(String(port));
  });

  it('says so when no DNS servers are configured', async () => {
    expect((await checkNameservers('example.com', { resolvers: [], expected: {} })).message).toBe('No DNS servers are configured.');
  });
});
