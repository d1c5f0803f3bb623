import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { addressOf, PEER_HEADER, peerHeaderValue, peerOf } from '@/lib/auth/address';
import { installPeerStamp } from '@/lib/http/peer';
import { inAnyRange, normalizeIp, parseCidr, parseCidrList, parseIp } from '@/lib/net/cidr';
import { parseConfig } from '@/lib/config';

const ranges = (text: string) => {
  const r = parseCidrList(text);
  if (!r.ok) throw new Error(`bad list: ${r.invalid}`);
  return r.ranges;
};
const LOOPBACK = ranges('127.0.0.1/8,::1');

describe('IP addresses and CIDR ranges', () => {
  it('parses IPv4, IPv6, mapped IPv4, brackets, ports and zones', () => {
    expect(parseIp('10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('::ffff:10.1.2.3')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('::FFFF:0a01:0203')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('10.1.2.3:5678')).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseIp('[2001:db8::1]:443')).toEqual({ family: 6, value: 0x20010db8000000000000000000000001n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('::')).toEqual({ family: 6, value: 0n });
    expect(parseIp('fe80::1%eth0')?.family).toBe(6);
    expect(parseIp('1:2:3:4:5:6:7:8')?.value).toBe(0x00010002000300040005000600070008n);
    expect(parseIp('64:ff9b::192.0.2.33')?.value).toBe(0x0064ff9b0000000000000000c0000221n);
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.256', '010.0.0.1', '1::2::3', '12345::', ':::', '1.2.3.4/8', 'unknown', '[1.2.3.4]x']) {
      expect(parseIp(bad), bad).toBeNull();
    }
  });

  it('formats canonically (RFC 5952) and maps IPv4-mapped addresses to IPv4', () => {
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeIp('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(normalizeIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(normalizeIp('[::1]:80')).toBe('::1');
    expect(normalizeIp('0:0:0:0:0:0:0:0')).toBe('::');
    expect(normalizeIp('nope')).toBeNull();
  });

  it('matches ranges of both families, host bits ignored, families kept apart', () => {
    expect(parseCidr('127.0.0.1/8')).toEqual({ family: 4, network: 0x7f000000n, prefix: 8 });
    expect(inAnyRange('127.5.6.7', LOOPBACK)).toBe(true);
    expect(inAnyRange('::ffff:127.0.0.1', LOOPBACK)).toBe(true);
    expect(inAnyRange('::1', LOOPBACK)).toBe(true);
    expect(inAnyRange('::2', LOOPBACK)).toBe(false);
    expect(inAnyRange('128.0.0.1', LOOPBACK)).toBe(false);
    const lan = ranges('10.0.0.0/8, 192.168.1.0/24, fd00::/8, 0.0.0.0/0');
    expect(inAnyRange('8.8.8.8', lan)).toBe(true); // 0.0.0.0/0: every IPv4 address
    expect(inAnyRange('2001:db8::1', lan)).toBe(false); // …but no IPv6 one
    expect(inAnyRange('fd12::1', lan)).toBe(true);
    expect(inAnyRange('192.168.2.1', ranges('192.168.1.0/24'))).toBe(false);
    expect(inAnyRange('10.0.0.1', ranges('::ffff:10.0.0.0/104'))).toBe(true);
    expect(inAnyRange('not-an-ip', lan)).toBe(false);
  });

  it('refuses what is not a range', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '/8', 'localhost', '10.0.0.0/8/8', '[::1]', '10.0.0.1:80', '::ffff:10.0.0.0/95', '10.0.0.0/-1']) {
      expect(parseCidr(bad), bad).toBeNull();
    }
    expect(parseCidrList('127.0.0.1/8, nope ,::1')).toEqual({ ok: false, invalid: 'nope' });
    expect(parseCidrList('')).toEqual({ ok: true, ranges: [] });
  });

  it('TRUSTED_PROXIES defaults to loopback and an invalid entry stops start-up with one line', () => {
    expect(parseConfig({ DATA_DIR: '/tmp/gh-x', AUTH_SECRET: 'a'.repeat(40), ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }).TRUSTED_PROXIES).toEqual(LOOPBACK);
    expect(() => parseConfig({ DATA_DIR: '/tmp/gh-x', TRUSTED_PROXIES: '10.0.0.0/8,proxy.lan' })).toThrow(/^Invalid TRUSTED_PROXIES: "proxy\.lan" is not an IP address or CIDR range/);
  });
});

describe('client address', () => {
  const from = (peer: string | null, xff?: string) =>
    new Headers({ ...(peer !== null && { [PEER_HEADER]: peerHeaderValue(peer) }), ...(xff !== undefined && { 'x-forwarded-for': xff }) });

  it('from an untrusted peer: the socket address, whatever the client sends', () => {
    expect(addressOf(from('203.0.113.7', '6.6.6.6'), LOOPBACK)).toBe('203.0.113.7');
    expect(addressOf(from('203.0.113.7', '127.0.0.1'), LOOPBACK)).toBe('203.0.113.7');
    expect(addressOf(from('::ffff:203.0.113.7'), LOOPBACK)).toBe('203.0.113.7');
  });

  it('from a trusted peer: X-Forwarded-For read from the right, skipping trusted proxies', () => {
    expect(addressOf(from('127.0.0.1', '6.6.6.6, 203.0.113.7'), LOOPBACK)).toBe('203.0.113.7');
    expect(addressOf(from('127.0.0.1'), LOOPBACK)).toBe('127.0.0.1');
    const chain = ranges('127.0.0.1/8,10.0.0.0/8');
    expect(addressOf(from('10.0.0.2', '6.6.6.6, 198.51.100.9, 10.0.0.5'), chain)).toBe('198.51.100.9');
    expect(addressOf(from('10.0.0.2', '10.0.0.9, 10.0.0.5'), chain)).toBe('10.0.0.9');
    // Garbage in the header: the last hop that could be read (here, the proxy itself).
    expect(addressOf(from('127.0.0.1', '6.6.6.6, garbage'), LOOPBACK)).toBe('127.0.0.1');
    expect(addressOf(from('::1', '[2001:db8::5]:1234'), LOOPBACK)).toBe('2001:db8::5');
    // Nobody trusted: the peer.
    expect(addressOf(from('127.0.0.1', '6.6.6.6'), [])).toBe('127.0.0.1');
  });

  it('a stamp the client forged (no or wrong mark) is no peer; without a peer the address is unknown', () => {
    expect(peerOf(new Headers({ [PEER_HEADER]: '127.0.0.1' }))).toBeNull();
    expect(peerOf(new Headers({ [PEER_HEADER]: 'guessed-mark 127.0.0.1' }))).toBeNull();
    expect(addressOf(new Headers({ [PEER_HEADER]: 'x 127.0.0.1', 'x-forwarded-for': '6.6.6.6' }), LOOPBACK)).toBeNull();
    expect(addressOf(new Headers({ 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.7' }), LOOPBACK)).toBeNull();
  });

  it('a real HTTP server stamps the socket peer over any header the client sent', async () => {
    installPeerStamp();
    installPeerStamp(); // once is enough; twice changes nothing
    const seen: (string | null)[] = [];
    const server = http.createServer((req, res) => {
      const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]));
      seen.push(addressOf(headers, ranges('10.255.255.1/32')), addressOf(headers, LOOPBACK));
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_HEADER]: `${'x'.repeat(24)} 6.6.6.6`, 'x-forwarded-for': '198.51.100.1' } });
      // Untrusted (loopback is not in 10.255.255.1/32): the socket. Trusted: the header.
      expect(seen).toEqual(['127.0.0.1', '198.51.100.1']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
