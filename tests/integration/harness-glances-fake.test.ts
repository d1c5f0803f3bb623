import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import { pythonTimedelta, startGlancesFleetFake, startGlancesV4Fake, type GlancesV4Fake } from '../support/glances-v4-fake';
import { httpRequest } from '../support/wait';

const json = async (url: string, headers: Record<string, string> = {}) => {
  const res = await httpRequest(url, { headers });
  return { status: res.status, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
};

describe('harness: fake Glances API v4', () => {
  let g: GlancesV4Fake;

  beforeAll(async () => {
    g = await startGlancesV4Fake();
  });
  afterAll(async () => {
    await g?.stop();
  });

  it('answers v4 shapes for the plugins Gatehouse polls', async () => {
    g.setStats({ cpu: 42, mem: 63.5, swap: 1.5, load: [1.5, 1, 0.5], fs: [{ mnt_point: '/', percent: 91 }], hostname: 'web-1', uptimeSeconds: 90_061 });
    expect((await json(`${g.baseUrl}/api/4/status`)).body).toEqual({ version: '4.3.1' });
    const cpu = (await json(`${g.baseUrl}/api/4/cpu`)).body;
    expect(cpu).toMatchObject({ total: 42, cpucore: 4 });
    expect(cpu).toHaveProperty('ctx_switches');
    expect((await json(`${g.baseUrl}/api/4/mem`)).body).toMatchObject({ percent: 63.5 });
    expect((await json(`${g.baseUrl}/api/4/memswap`)).body).toMatchObject({ percent: 1.5 });
    expect((await json(`${g.baseUrl}/api/4/load`)).body).toEqual({ min1: 1.5, min5: 1, min15: 0.5, cpucore: 4 });
    const fs = (await json(`${g.baseUrl}/api/4/fs`)).body;
    expect(fs[0]).toMatchObject({ mnt_point: '/', percent: 91, key: 'mnt_point' });
    const net = (await json(`${g.baseUrl}/api/4/network`)).body;
    expect(net[0]).toHaveProperty('bytes_recv_rate_per_sec');
    expect((await json(`${g.baseUrl}/api/4/uptime`)).body).toMatch(/^1 day, 1:01:0\d$/);
    expect((await json(`${g.baseUrl}/api/4/system`)).body).toMatchObject({ hostname: 'web-1', os_name: 'Linux' });
    expect((await json(`${g.baseUrl}/api/4/quicklook`)).body).toMatchObject({ cpu: 42, mem: 63.5 });
    expect((await json(`${g.baseUrl}/api/4/cpu/total`)).body).toEqual({ total: 42 });
    expect((await json(`${g.baseUrl}/api/4/fs/mnt_point`)).body).toEqual({ mnt_point: ['/'] });
    expect((await json(`${g.baseUrl}/api/3/cpu`)).status).toBe(404);
    expect(g.requests.length).toBeGreaterThan(10);
  });

  it('gzips large answers like FastAPI does', async () => {
    const res = await new Promise<http.IncomingMessage & { raw: Buffer }>((resolve, reject) => {
      http
        .get(`${g.baseUrl}/api/4/all`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c) => chunks.push(c));
          r.on('end', () => resolve(Object.assign(r, { raw: Buffer.concat(chunks) })));
        })
        .on('error', reject);
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    const all = JSON.parse(zlib.gunzipSync(res.raw).toString());
    expect(all.cpu.total).toBe(42);
    expect(all.processlist.length).toBe(100);
  });

  it('fails on demand', async () => {
    await g.setFailure('http500');
    expect((await json(`${g.baseUrl}/api/4/cpu`)).status).toBe(500);
    await g.setFailure('garbage');
    const garbage = await httpRequest(`${g.baseUrl}/api/4/cpu`);
    expect(garbage.status).toBe(200);
    expect(() => JSON.parse(garbage.body)).toThrow();
    await g.setFailure(null);
    await g.setFailure('missingPlugin:network');
    const missing = await json(`${g.baseUrl}/api/4/network`);
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/^Unknown plugin network/);
    expect((await json(`${g.baseUrl}/api/4/cpu`)).status).toBe(200);
    await g.setFailure('hang');
    await expect(httpRequest(`${g.baseUrl}/api/4/cpu`, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
    await g.setFailure('refuse');
    await expect(httpRequest(`${g.baseUrl}/api/4/cpu`)).rejects.toThrow(/ECONNREFUSED/);
    await g.setFailure('reset');
    await expect(httpRequest(`${g.baseUrl}/api/4/cpu`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await g.clearFailures();
    expect((await json(`${g.baseUrl}/api/4/network`)).status).toBe(200);
  });

  it('supports basic auth and the v3 dialect', async () => {
    const secured = await startGlancesV4Fake({ auth: { username: 'glances', password: 'pw' }, apiVersion: 3 });
    try {
      expect((await httpRequest(`${secured.baseUrl}/api/3/cpu`)).status).toBe(401);
      const auth = { authorization: `Basic ${Buffer.from('glances:pw').toString('base64')}` };
      const cpu = await json(`${secured.baseUrl}/api/3/cpu`, auth);
      expect(cpu.status).toBe(200);
      expect(cpu.body).toHaveProperty('softirq');
      expect(cpu.headers.connection).toBe('close');
      const status = await httpRequest(`${secured.baseUrl}/api/3/status`, { headers: auth });
      expect([status.status, status.body]).toEqual([200, '']);
      const deflate = await httpRequest(`${secured.baseUrl}/api/3/status`, { headers: { ...auth, 'accept-encoding': 'gzip, deflate' } });
      expect(deflate.status).toBe(500);
      expect((await httpRequest(`${secured.baseUrl}/api/4/status`, { headers: auth })).status).toBe(404);
      const net = (await json(`${secured.baseUrl}/api/3/network`, auth)).body;
      expect(net[0]).toHaveProperty('cumulative_rx');
    } finally {
      await secured.stop();
    }
  });

  it('formats uptime like Python timedelta', () => {
    expect(pythonTimedelta(59)).toBe('0:00:59');
    expect(pythonTimedelta(86_400 + 5)).toBe('1 day, 0:00:05');
    expect(pythonTimedelta(6 * 86_400 + 22 * 3600 + 22 * 60 + 1)).toBe('6 days, 22:22:01');
  });
});

describe('harness: fake Glances fleet', () => {
  it('simulates many servers behind path prefixes with latency', async () => {
    const fleet = await startGlancesFleetFake({ count: 2000, latencyMs: [20, 40] });
    try {
      expect(fleet.urls()).toHaveLength(2000);
      fleet.setStats(1999, { cpu: 77 });
      const t0 = Date.now();
      const [a, b] = await Promise.all([json(`${fleet.baseUrl(0)}/api/4/cpu`), json(`${fleet.baseUrl(1999)}/api/3/cpu`)]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(19);
      expect(a.status).toBe(200);
      expect(b.body.total).toBe(77);
      expect((await json(`${fleet.baseUrl(5)}/api/4/status`)).body).toEqual({ version: '4.3.1' });
      fleet.setFailure(5, 'http500');
      expect((await json(`${fleet.baseUrl(5)}/api/4/cpu`)).status).toBe(500);
      expect((await json(`${fleet.baseUrl(6)}/api/4/cpu`)).status).toBe(200);
      fleet.clearFailures();
      expect((await json(`${fleet.baseUrl(5)}/api/4/cpu`)).status).toBe(200);
      expect((await httpRequest(`http://127.0.0.1:${fleet.port}/s/2000/api/4/cpu`)).status).toBe(404);
      expect(fleet.requestCount()).toBe(6);
      expect(fleet.requestCount(5)).toBe(3);

      // 2,000 servers x 1 request, 256 in flight, keep-alive agent
      const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
      const t1 = Date.now();
      let next = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: 256 }, async () => {
          while (next < fleet.count) {
            const n = next++;
            await new Promise<void>((resolve, reject) => {
              http
                .get(`${fleet.baseUrl(n)}/api/4/quicklook`, { agent }, (r) => {
                  r.resume();
                  r.on('end', () => {
                    if (r.statusCode === 200) ok++;
                    resolve();
                  });
                })
                .on('error', reject);
            });
          }
        }),
      );
      agent.destroy();
      console.log(`[harness] fleet fake: 2000 quicklook requests, 256 in flight, in ${Date.now() - t1} ms`);
      expect(ok).toBe(2000);
    } finally {
      await fleet.stop();
    }
  });
});
