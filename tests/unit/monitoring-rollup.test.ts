import { describe, expect, it } from 'vitest';
import { bucketStart, closedBefore, mergeRollups, pickResolution, rollupSamples, type MetricPoint } from '@/lib/monitoring/rollup';

const at = (iso: string) => new Date(`2026-03-01T${iso}Z`);
const point = (iso: string, v: Partial<MetricPoint> = {}): MetricPoint => ({
  at: at(iso),
  cpu: 10,
  memory: 50,
  disk: 40,
  load1: 1,
  netRx: 100,
  netTx: 10,
  ...v,
});
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('bucketStart', () => {
  it('aligns to 5-minute and UTC hour boundaries', () => {
    expect(bucketStart(at('10:07:59'), '5m').toISOString()).toBe('2026-03-01T10:05:00.000Z');
    expect(bucketStart(at('10:05:00'), '5m').toISOString()).toBe('2026-03-01T10:05:00.000Z');
    expect(bucketStart(at('10:59:59'), '1h').toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(closedBefore(at('10:07:00'), '5m').toISOString()).toBe('2026-03-01T10:05:00.000Z');
  });
});

describe('rollupSamples', () => {
  it('averages and maxes per bucket, oldest first, whatever the input order', () => {
    const r = rollupSamples(
      [
        point('10:06:00', { cpu: 30, memory: 60, disk: 50, load1: 3, netRx: 300, netTx: 30 }),
        point('10:00:00', { cpu: 10 }),
        point('10:01:00', { cpu: 20, load1: 2 }),
      ],
      '5m',
    );
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ resolution: '5m', count: 2, cpuAvg: 15, cpuMax: 20, memoryAvg: 50, load1Avg: 1.5, load1Max: 2, netRxAvg: 100, netTxAvg: 10, diskAvg: 40, diskMax: 40 });
    expect(r[0].bucketStart.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(r[1]).toMatchObject({ count: 1, cpuAvg: 30, memoryMax: 60, diskMax: 50, netRxAvg: 300 });
  });

  it('skips missing disk and network values instead of counting them as zero', () => {
    const [r] = rollupSamples([point('10:00:00', { disk: null, netRx: null, netTx: null }), point('10:01:00', { disk: 80 })], '5m');
    expect(r).toMatchObject({ count: 2, diskAvg: 80, diskMax: 80, netRxAvg: 100 });
    const [none] = rollupSamples([point('10:00:00', { disk: null, netRx: null, netTx: null })], '1h');
    expect(none).toMatchObject({ diskAvg: null, diskMax: null, netRxAvg: null, netTxAvg: null });
  });

  it('returns nothing for no samples', () => {
    expect(rollupSamples([], '5m')).toEqual([]);
  });
});

describe('mergeRollups', () => {
  it('builds hourly rollups from 5-minute ones, weighting averages by sample count', () => {
    const fine = rollupSamples(
      [
        point('10:00:00', { cpu: 10 }),
        point('10:01:00', { cpu: 10 }),
        point('10:02:00', { cpu: 10 }),
        point('10:55:00', { cpu: 90, load1: 7 }),
        point('11:00:00', { cpu: 50 }),
      ],
      '5m',
    );
    const hourly = mergeRollups(fine, '1h');
    expect(hourly).toHaveLength(2);
    expect(hourly[0]).toMatchObject({ resolution: '1h', count: 4, cpuAvg: 30, cpuMax: 90, load1Max: 7 });
    // Same answer as rolling the raw samples up directly.
    expect(hourly).toEqual(rollupSamples([point('10:00:00', { cpu: 10 }), point('10:01:00', { cpu: 10 }), point('10:02:00', { cpu: 10 }), point('10:55:00', { cpu: 90, load1: 7 }), point('11:00:00', { cpu: 50 })], '1h'));
  });
});

describe('pickResolution', () => {
  const to = at('12:00:00');
  const from = (ms: number) => new Date(to.getTime() - ms);

  it.each([
    [30 * MIN, 'raw'],
    [2 * HOUR, 'raw'],
    [2 * HOUR + 1, '5m'],
    [DAY, '5m'],
    [3 * DAY, '5m'],
    [3 * DAY + 1, '1h'],
    [30 * DAY, '1h'],
  ])('%d ms → %s', (span, res) => {
    expect(pickResolution(from(span), to)).toBe(res);
  });

  it('keeps a 30-day chart within 720 points and a 3-day one within 864', () => {
    const hourly = rollupSamples(Array.from({ length: 30 * 24 * 4 }, (_, i) => ({ ...point('00:00:00'), at: new Date(to.getTime() - 30 * DAY + i * 15 * MIN) })), '1h');
    expect(hourly.length).toBeLessThanOrEqual(720);
    expect((3 * DAY) / (5 * MIN)).toBe(864);
  });
});
