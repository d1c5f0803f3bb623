import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { startDns, type DnsServer } from '../support/dns';
import { pidAlive, requireBinary, run } from '../support/process';

describe.skipIf(!requireBinary('knotd', 'knotc'))('harness: knot DNS', () => {
  let dns: DnsServer;

  beforeAll(async () => {
    const t0 = Date.now();
    dns = await startDns({
      zones: [
        {
          name: 'example.test',
          ns: ['ns1.example.test', 'ns2.example.test'],
          records: [
            { name: 'app', type: 'A', value: '127.0.0.1' },
            { name: 'www.example.test', type: 'CNAME', value: 'app.example.test' },
            { name: '@', type: 'TXT', value: 'v=spf1 -all' },
          ],
        },
        { name: 'other.test', ns: ['ns.provider.test'] },
      ],
    });
    console.log(`[harness] knotd with 2 zones ready in ${Date.now() - t0} ms on ${dns.server}`);
  });

  afterAll(async () => {
    await dns?.stop();
  });

  it('answers NS, A, CNAME and TXT over UDP to node:dns', async () => {
    const r = new Resolver();
    r.setServers([dns.server]);
    expect((await r.resolveNs('example.test')).sort()).toEqual(['ns1.example.test', 'ns2.example.test']);
    expect(await r.resolveNs('other.test')).toEqual(['ns.provider.test']);
    expect(await r.resolve4('app.example.test')).toEqual(['127.0.0.1']);
    expect(await r.resolve4('ns1.example.test')).toEqual(['127.0.0.1']); // glue added
    expect(await r.resolveCname('www.example.test')).toEqual(['app.example.test']);
    expect((await r.resolveTxt('example.test')).flat()).toEqual(['v=spf1 -all']);
    await expect(r.resolve4('missing.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers over TCP too (kdig +tcp)', async () => {
    if (!requireBinary('kdig')) return;
    const { stdout } = await run('kdig', ['@127.0.0.1', '-p', String(dns.port), '+tcp', '+short', 'NS', 'other.test']);
    expect(stdout.trim()).toBe('ns.provider.test.');
  });

  it('replaces zones with setZones', async () => {
    await dns.setZones([
      { name: 'example.test', ns: ['ns1.changed.test'], records: [{ name: 'app', type: 'A', value: '127.0.0.2' }] },
      { name: 'new.test', ns: ['a.ns.test', 'b.ns.test'] },
    ]);
    const r = dns.resolver();
    expect(await r.resolveNs('example.test')).toEqual(['ns1.changed.test']);
    expect(await r.resolve4('app.example.test')).toEqual(['127.0.0.2']);
    expect((await r.resolveNs('new.test')).sort()).toEqual(['a.ns.test', 'b.ns.test']);
    await expect(r.resolveNs('other.test')).rejects.toMatchObject({ code: expect.stringMatching(/EREFUSED|ENOTFOUND|ESERVFAIL/) });
  });

  it('stops by PID and removes its temp dir', async () => {
    const local = await startDns({ zones: [] });
    const { pid, dir } = local;
    await local.stop();
    expect(pidAlive(pid)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
