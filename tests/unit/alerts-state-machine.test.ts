import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clearWindowMs, decide, flapFactor, type OpenIncident } from '@/lib/alerts/state-machine';
import { clearMargin, metricStatus, type ConditionStatus } from '@/lib/alerts/conditions';
import { mountOf } from '@/lib/alerts/incident-message';

const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);
const rule = { durationSeconds: 300, reminderMinutes: null };

describe('incident state machine', () => {
  it('opens only after the duration, without a break', () => {
    expect(decide(undefined, 'active', rule, at(0))).toEqual({ type: 'pend' });
    const pending: OpenIncident = { state: 'pending', pendingSince: at(0), clearSince: null, startedAt: null, lastNotifiedAt: null };
    expect(decide(pending, 'active', rule, at(299))).toEqual({ type: 'none' });
    expect(decide(pending, 'active', rule, at(300))).toEqual({ type: 'fire' });
    expect(decide(pending, 'hold', rule, at(200))).toEqual({ type: 'drop' });
    expect(decide(pending, 'clear', rule, at(200))).toEqual({ type: 'drop' });
    expect(decide(pending, 'unknown', rule, at(200))).toEqual({ type: 'none' });
    expect(decide(undefined, 'active', { durationSeconds: 0, reminderMinutes: null }, at(0))).toEqual({ type: 'fire' });
  });

  it('closes after the clear window; a breach or the margin band restarts the wait', () => {
    const firing: OpenIncident = { state: 'firing', pendingSince: at(0), clearSince: null, startedAt: at(0), lastNotifiedAt: at(300) };
    expect(decide(firing, 'clear', rule, at(400))).toEqual({ type: 'clearing' });
    const clearing = { ...firing, clearSince: at(400) };
    expect(decide(clearing, 'clear', rule, at(699))).toEqual({ type: 'none' });
    expect(decide(clearing, 'clear', rule, at(700))).toEqual({ type: 'resolve', quiet: false, at: at(400) });
    expect(decide(clearing, 'hold', rule, at(500))).toEqual({ type: 'unclear' });
    expect(decide(clearing, 'active', rule, at(500))).toEqual({ type: 'unclear' });
    expect(decide(clearing, 'unknown', rule, at(9999))).toEqual({ type: 'none' });
    expect(decide(firing, 'off', rule, at(500))).toEqual({ type: 'resolve', quiet: true, at: at(500) });
  });

  it('reminds every reminderMinutes while active', () => {
    const r = { durationSeconds: 0, reminderMinutes: 60 };
    const firing: OpenIncident = { state: 'firing', pendingSince: at(0), clearSince: null, startedAt: at(0), lastNotifiedAt: at(0) };
    expect(decide(firing, 'active', r, at(3599))).toEqual({ type: 'none' });
    expect(decide(firing, 'active', r, at(3600))).toEqual({ type: 'remind' });
    expect(decide(firing, 'hold', r, at(3600))).toEqual({ type: 'none' });
  });

  it('clear window: the duration within 1–10 minutes; flapping keys wait up to 8× longer', () => {
    expect(clearWindowMs(0)).toBe(60_000);
    expect(clearWindowMs(300)).toBe(300_000);
    expect(clearWindowMs(86_400)).toBe(600_000);
    expect([1, 2, 3, 4, 10].map(flapFactor)).toEqual([1, 2, 4, 8, 8]);
  });

  it('any status sequence produces at most one fire per resolve (property)', () => {
    const status = fc.constantFrom<ConditionStatus>('active', 'clear', 'hold', 'unknown');
    fc.assert(
      fc.property(fc.array(status, { maxLength: 400 }), fc.constantFrom(0, 15, 300), (seq, duration) => {
        let open: OpenIncident | undefined;
        let fires = 0;
        let resolves = 0;
        seq.forEach((s, i) => {
          const now = at(i * 15);
          const d = decide(open, s, { durationSeconds: duration, reminderMinutes: null }, now);
          if (d.type === 'pend') open = { state: 'pending', pendingSince: now, clearSince: null, startedAt: null, lastNotifiedAt: null };
          if (d.type === 'fire') {
            fires++;
            open = { state: 'firing', pendingSince: open?.pendingSince ?? now, clearSince: null, startedAt: now, lastNotifiedAt: now };
          }
          if (d.type === 'drop' || d.type === 'resolve') {
            if (d.type === 'resolve') resolves++;
            open = undefined;
          }
          if (d.type === 'clearing') open = { ...open!, clearSince: now };
          if (d.type === 'unclear') open = { ...open!, clearSince: null };
        });
        expect(fires - resolves).toBeGreaterThanOrEqual(0);
        expect(fires - resolves).toBeLessThanOrEqual(1);
        // A resolution needs a 60 s clear stretch and a fire a fresh breach: never more than one pair per 5 polls.
        expect(fires).toBeLessThanOrEqual(Math.ceil(seq.length / 5) + 1);
      }),
    );
  });
});

describe('conditions', () => {
  it('hysteresis margins: 5 points for percentages, a tenth for load, none for the rest', () => {
    expect(clearMargin('cpu', 85)).toBe(5);
    expect(clearMargin('disk', 20)).toBe(2);
    expect(clearMargin('load', 4)).toBeCloseTo(0.4);
    expect(clearMargin('cert_expiry', 14)).toBe(0);
    expect([90, 85, 84, 80.1, 80, 79.9].map((v) => metricStatus('cpu', v, 85))).toEqual(['active', 'active', 'hold', 'hold', 'hold', 'clear']);
  });

  it('reads the mount back from a disk key', () => {
    expect(mountOf('disk:server:0190-abc:/var/lib/docker')).toBe('/var/lib/docker');
    expect(mountOf('disk:server:0190-abc')).toBeNull();
    expect(mountOf('cpu:server:0190-abc')).toBeNull();
  });
});
