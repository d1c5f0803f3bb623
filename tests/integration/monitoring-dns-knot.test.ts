import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNameservers } from '@/lib/monitoring/dns-check';
import { startDns, type DnsServer } from '../support/dns';
import { requireBinary } from '../support/process';

// NS checks against a real authoritative server (Knot DNS) on a loopback port.
describe.skipIf(!requireBinary('knotd', 'knotc'))('monitoring: NS checks against knot', () => {
  let dns: DnsServer;
  let second: DnsServer;

  beforeAll(async () => {
    dns = await startDns({
      zones: [
        { name: 'example.test', ns: ['ns1.example.test', 'ns2.example.test'], records: [{ name: 'www', type: 'A', value: '127.0.0.1' }] },
        { name: 'cf.test', ns: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'] },
        { name: 'moved.test', ns: ['ns1.newhost.test'] },
      ],
    });
    // A second server that still serves the old delegation of moved.test (propagation lag).
    second = await startDns({ zones: [{ name: 'moved.test', ns: ['ns1.oldhost.test'] }, { name: 'example.test', ns: ['ns1.example.test', 'ns2.example.test'] }] });
  });

  afterAll(async () => {
    await dns?.stop();
    await second?.stop();
  });

  it('ok: the registrable zone of a subdomain has the expected set (case and dots ignored)', async () => {
    const r = await checkNameservers('www.Example.test', { resolvers: [dns.server], expected: { nameservers: ['NS2.example.test.', 'ns1.example.test'] } });
    expect(r).toMatchObject({ status: 'ok', zone: 'example.test', found: ['ns1.example.test', 'ns2.example.test'] });
    expect(r.perResolver).toEqual([{ resolver: dns.server, status: 'ok', found: ['ns1.example.test', 'ns2.example.test'], message: 'The nameservers are as expected.' }]);
  });

  it('mismatch: a different set', async () => {
    const r = await checkNameservers('example.test', { resolvers: [dns.server], expected: { nameservers: ['ns1.example.test'] } });
    expect(r).toMatchObject({ status: 'mismatch', message: 'The nameservers differ from the expected ones.' });
    expect(r.message).not.toMatch(/example|127\.0\.0\.1/);
  });

  it('pattern', async () => {
    expect((await checkNameservers('cf.test', { resolvers: [dns.server], expected: { pattern: '*.ns.cloudflare.com' } })).status).toBe('ok');
    expect((await checkNameservers('example.test', { resolvers: [dns.server], expected: { pattern: '*.ns.cloudflare.com' } })).status).toBe('mismatch');
  });

  it('servers that disagree make a mismatch, with each answer kept', async () => {
    const r = await checkNameservers('moved.test', { resolvers: [dns.server, second.server], expected: { nameservers: ['ns1.newhost.test'] } });
    expect(r.status).toBe('mismatch');
    expect(r.found).toEqual(['ns1.newhost.test', 'ns1.oldhost.test']);
    expect(r.perResolver.map((p) => p.status)).toEqual(['ok', 'mismatch']);
  });

  it('one dead server does not hide the answer of a live one', async () => {
    const dead = await startDns({ zones: [] });
    const deadAddress = dead.server;
    await dead.stop();
    const r = await checkNameservers('example.test', { resolvers: [deadAddress, dns.server], expected: { nameservers: ['ns1.example.test', 'ns2.example.test'] }, timeoutMs: 300, tries: 1 });
    expect(r.status).toBe('ok');
    expect(r.perResolver[0]).toMatchObject({ status: 'error' });
    expect(r.perResolver[0].message).not.toMatch(/127\.0\.0\.1/);
  });

  it('a zone the server does not serve: refused, so an error', async () => {
    const r = await checkNameservers('nowhere.test', { resolvers: [dns.server], expected: { nameservers: ['ns1.example.test'] } });
    expect(r).toMatchObject({ status: 'error', message: 'No DNS server answered. The DNS server refused the query.' });
  });
});
