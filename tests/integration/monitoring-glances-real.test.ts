import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlancesClient, GlancesError } from '@/lib/glances/client';
import { pollFleet } from '@/lib/monitoring/poller';
import { requireGlances, startGlances, type GlancesInstance } from '../support/glances';

// The client against the real Glances 3.3.1 (API v3, HTTP/1.0, the deflate quirk on /status).
describe.skipIf(!requireGlances())('monitoring: real Glances 3.3.1', () => {
  let glances: GlancesInstance;
  const client = new GlancesClient({ timeoutMs: 5000 });

  beforeAll(async () => {
    glances = await startGlances();
  });

  afterAll(async () => {
    client.close();
    await glances?.stop();
  });

  it('detects API v3 and reads a sane sample, system and uptime included', async () => {
    expect(await client.detectVersion({ baseUrl: glances.baseUrl })).toBe(3);
    const s = await client.poll({ baseUrl: glances.baseUrl }, { includeInfo: true });
    expect(s.apiVersion).toBe(3);
    for (const pct of [s.cpu, s.memory, s.swap]) {
      expect(pct).toBeGreaterThanOrEqual(0);
      expect(pct).toBeLessThanOrEqual(100);
    }
    expect(s.memory).toBeGreaterThan(0);
    expect(s.load1).toBeGreaterThanOrEqual(0);
    expect(s.load15).toBeGreaterThanOrEqual(0);
    expect(s.disks.length).toBeGreaterThan(0);
    expect(s.disk).toBe(Math.max(...s.disks.map((d) => d.percent)));
    expect(s.disks.some((d) => d.mount.startsWith('/snap/'))).toBe(false);
    expect(s.netRx).toBeGreaterThanOrEqual(0);
    expect(s.netTx).toBeGreaterThanOrEqual(0);
    expect(s.uptimeSeconds).toBeGreaterThan(0);
    expect(s.hostname).toBeTruthy();
    expect(s.os).toBeTruthy();
    expect(s.missing).toEqual([]);
  });

  it('polls repeatedly over fresh connections (Glances 3 closes each one)', async () => {
    const target = { baseUrl: glances.baseUrl };
    for (let i = 0; i < 3; i++) expect((await client.poll(target)).apiVersion).toBe(3);
  });

  it('works through pollFleet', async () => {
    const samples: number[] = [];
    const stats = await pollFleet([{ baseUrl: glances.baseUrl }, { baseUrl: glances.baseUrl }], {
      concurrency: 2,
      intervalMs: 0,
      timeoutMs: 10_000,
      poll: (t, ctx) => client.poll(t, { signal: ctx.signal }),
      onSample: (_t, s) => void samples.push(s.cpu),
    });
    expect(stats).toMatchObject({ ok: 2, failed: 0 });
    expect(samples).toHaveLength(2);
  });

  it('basic auth: right password polls, wrong one is an auth error', async () => {
    const secured = await startGlances({ auth: { username: 'monitor', password: 's3cret!' } });
    const c = new GlancesClient();
    try {
      const ok = await c.poll({ baseUrl: secured.baseUrl, username: 'monitor', password: 's3cret!' });
      expect(ok.apiVersion).toBe(3);
      const e = await c.poll({ baseUrl: secured.baseUrl, username: 'monitor', password: 'wrong' }, {}).catch((err) => err);
      expect(e).toBeInstanceOf(GlancesError);
      expect(e).toMatchObject({ kind: 'auth' });
      const none = await new GlancesClient().detectVersion({ baseUrl: secured.baseUrl }).catch((err) => err);
      expect(none).toMatchObject({ kind: 'auth' });
    } finally {
      c.close();
      await secured.stop();
    }
  });

  it('a plugin disabled on the server: optional ones are reported missing, required ones fail', async () => {
    const partial = await startGlances({ extraArgs: ['--disable-plugin', 'network,load'] });
    const c = new GlancesClient();
    try {
      const e = await c.poll({ baseUrl: partial.baseUrl }).catch((err) => err);
      expect(e).toMatchObject({ kind: 'missing_plugin' });
      expect((e as GlancesError).message).toContain("'load'");
    } finally {
      c.close();
      await partial.stop();
    }
  });
});
