import { describe, expect, it } from 'vitest';
import { effectiveResolution } from '@/lib/monitoring/history';
import { toLastSample } from '@/lib/monitoring/sample-writer';
import { metricsQuery } from '@/lib/monitoring/schemas';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.parse('2026-03-01T12:00:00Z');
const retention = { rawHours: 48, fiveMinuteDays: 14 };
const range = (span: number, endAgo = 0) => [new Date(now - endAgo - span), new Date(now - endAgo)] as const;

describe('effectiveResolution', () => {
  it('follows pickResolution for recent ranges', () => {
    expect(effectiveResolution(...range(HOUR), now, retention)).toBe('raw');
    expect(effectiveResolution(...range(DAY), now, retention)).toBe('5m');
    expect(effectiveResolution(...range(7 * DAY), now, retention)).toBe('1h');
  });

  it('moves to a coarser resolution when the range starts before the finer one is kept', () => {
    expect(effectiveResolution(...range(HOUR, 3 * DAY), now, retention)).toBe('5m');
    expect(effectiveResolution(...range(HOUR, 20 * DAY), now, retention)).toBe('1h');
    expect(effectiveResolution(...range(DAY, 20 * DAY), now, retention)).toBe('1h');
    expect(effectiveResolution(...range(HOUR, 2 * HOUR), now, { rawHours: 1, fiveMinuteDays: 14 })).toBe('5m');
  });
});

describe('metricsQuery', () => {
  it('defaults to the last hour and rejects bad or backwards ranges', () => {
    const q = metricsQuery.parse({});
    expect(q.to.getTime() - q.from.getTime()).toBe(HOUR);
    expect(metricsQuery.safeParse({ from: 'yesterday' }).success).toBe(false);
    expect(metricsQuery.safeParse({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }).success).toBe(false);
    expect(metricsQuery.safeParse({ from: '2024-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }).success).toBe(false);
    expect(metricsQuery.parse({ from: '2026-03-01T10:00:00+02:00', to: '2026-03-01T10:30:00Z' }).from.toISOString()).toBe('2026-03-01T08:00:00.000Z');
  });
});

describe('toLastSample', () => {
  it('keeps what the grid shows, rounded, with the time as ISO text', () => {
    const last = toLastSample({
      at: new Date('2026-03-01T12:00:00Z'), apiVersion: 4, cpu: 12.3456, memory: 40.04, swap: 0, load1: 0.12345, load5: 1, load15: 2.999,
      disk: 91.26, disks: [{ mount: '/', percent: 91.26 }], netRx: 1200, netTx: null, missing: ['network'],
    });
    expect(last).toEqual({
      at: '2026-03-01T12:00:00.000Z', apiVersion: 4, cpu: 12.3, memory: 40, swap: 0, disk: 91.3, disks: [{ mount: '/', percent: 91.3 }],
      load1: 0.12, load5: 1, load15: 3, netRx: 1200, netTx: null, missing: ['network'],
    });
  });
});
