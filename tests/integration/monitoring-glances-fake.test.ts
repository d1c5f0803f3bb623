import { afterEach, describe, expect, it } from 'vitest';
import { GlancesClient, type GlancesSample } from '@/lib/glances/client';
import { pollFleet } from '@/lib/monitoring/poller';
import { startGlancesFleetFake, startGlancesV4Fake } from '../support/glances-v4-fake';

// Glances 4 is not packaged for Debian 12: the shared fakes replay its documented shapes.
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

function client() {
  const c = new GlancesClient({ timeoutMs: 2000 });
  stops.push(async () => c.close());
  return c;
}

describe('monitoring: Glances API v4 fake', () => {
  it('detects v4 and normalises its shapes', async () => {
    const g = await startGlancesV4Fake();
    stops.push(() => g.stop());
    g.setStats({ cpu: 42, mem: 63.5, swap: 7, load: [1.5, 1, 0.5], fs: [{ mnt_point: '/', percent: 91 }, { mnt_point: '/data', percent: 12 }] });
    const s = await client().poll({ baseUrl: g.baseUrl }, { includeInfo: true });
    expect(s).toMatchObject({ apiVersion: 4, cpu: 42, memory: 63.5, swap: 7, load1: 1.5, load5: 1, load15: 0.5, disk: 91, missing: [] });
    expect(s.netRx).toBe(g.stats.network[0].rxPerSec);
    expect(s.netTx).toBe(g.stats.network[0].txPerSec);
    expect(s.hostname).toBe(g.stats.hostname);
    expect(s.uptimeSeconds).toBeGreaterThanOrEqual(g.stats.uptimeSeconds);
    const paths = g.requests.map((r) => r.path);
    expect(paths).toEqual(['/api/4/status', '/api/4/quicklook', '/api/4/load', '/api/4/fs', '/api/4/network', '/api/4/system', '/api/4/uptime']);
    expect(g.requests.every((r) => r.headers['accept-encoding'] === 'identity')).toBe(true);
  });

  it.each([
    ['http500', 'http'],
    ['garbage', 'parse'],
    ['refuse', 'refused'],
    ['reset', 'refused'],
  ] as const)('failure %s → %s', async (mode, kind) => {
    const g = await startGlancesV4Fake();
    stops.push(() => g.stop());
    const c = client();
    await c.detectVersion({ baseUrl: g.baseUrl });
    await g.setFailure(mode);
    const e = await c.poll({ baseUrl: g.baseUrl }).catch((err) => err);
    expect(e).toMatchObject({ kind });
    expect(e.message).not.toContain(String(g.port));
  });

  it('a missing network plugin leaves net empty, not the server down', async () => {
    const g = await startGlancesV4Fake();
    stops.push(() => g.stop());
    await g.setFailure('missingPlugin:network');
    const s = await client().poll({ baseUrl: g.baseUrl });
    expect(s).toMatchObject({ netRx: null, netTx: null, missing: ['network'] });
  });
});

describe('monitoring: a fleet of fake Glances servers behind path prefixes', () => {
  it('polls 300 mixed v3/v4 servers with a bounded number in flight, 4 requests each', async () => {
    const fleet = await startGlancesFleetFake({ count: 300, latencyMs: [2, 8], apiVersion: (n) => (n % 3 === 0 ? 3 : 4) });
    stops.push(() => fleet.stop());
    const c = client();
    const targets = fleet.urls().map((baseUrl) => ({ baseUrl }));
    await Promise.all(targets.map((t) => c.detectVersion(t)));
    fleet.resetCounts();

    const versions = new Map<number, number>();
    const stats = await pollFleet(targets, {
      concurrency: 16,
      intervalMs: 200,
      timeoutMs: 5000,
      poll: (t, ctx) => c.poll(t, { signal: ctx.signal }),
      onSample: (_t, s: GlancesSample) => void versions.set(s.apiVersion, (versions.get(s.apiVersion) ?? 0) + 1),
    });
    expect(stats).toMatchObject({ ok: 300, failed: 0 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(16);
    expect(versions.get(3)).toBe(100);
    expect(versions.get(4)).toBe(200);
    expect(fleet.requestCount()).toBe(300 * 4);
  });
});
