import { describe, expect, it } from 'vitest';
import { GlancesError } from '@/lib/glances/http';
import { pollFleet, Semaphore, staggerOffsets, type Clock } from '@/lib/monitoring/poller';

/** Virtual time: sleep advances the clock at once, so stagger is checked without waiting. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += Math.max(0, ms);
    },
  };
  return c;
}

const servers = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `s${i}` }));
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('staggerOffsets', () => {
  it('spreads starts evenly over the interval', () => {
    expect(staggerOffsets(4, 60_000)).toEqual([0, 15_000, 30_000, 45_000]);
    expect(staggerOffsets(1, 60_000)).toEqual([0]);
    expect(staggerOffsets(0, 60_000)).toEqual([]);
    expect(staggerOffsets(3, 0)).toEqual([0, 0, 0]);
  });
});

describe('Semaphore', () => {
  it('admits at most `limit` holders and hands slots over in order', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    await s.acquire();
    await s.acquire();
    const waiting = [1, 2].map((n) => s.acquire().then(() => order.push(n)));
    expect(s.inFlight).toBe(2);
    s.release();
    s.release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2]);
    expect(s.inFlight).toBe(2);
  });
});

describe('pollFleet', () => {
  it('starts servers at their staggered slots (fake clock)', async () => {
    const clock = fakeClock();
    const started: Record<string, number> = {};
    const stats = await pollFleet(servers(4), {
      concurrency: 10,
      intervalMs: 60_000,
      timeoutMs: 1000,
      clock,
      poll: async (s) => {
        started[s.id] = clock.now();
        return 1;
      },
    });
    expect(started).toEqual({ s0: 0, s1: 15_000, s2: 30_000, s3: 45_000 });
    expect(stats).toMatchObject({ ok: 4, failed: 0, skipped: 0, maxStartDelayMs: 0 });
  });

  it('never has more than `concurrency` polls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const stats = await pollFleet(servers(25), {
      concurrency: 4,
      intervalMs: 0,
      timeoutMs: 1000,
      poll: async () => {
        peak = Math.max(peak, ++inFlight);
        await tick(5);
        inFlight--;
        return 1;
      },
    });
    expect(peak).toBe(4);
    expect(stats.maxInFlight).toBe(4);
    expect(stats.ok).toBe(25);
  });

  it('hands samples and errors to the callbacks and counts them', async () => {
    const seen: string[] = [];
    const stats = await pollFleet(servers(4), {
      concurrency: 2,
      intervalMs: 0,
      timeoutMs: 1000,
      poll: async (s) => {
        if (s.id === 's2') throw new GlancesError('refused', 'Glances refused the connection.', 'ECONNREFUSED');
        return s.id.toUpperCase();
      },
      onSample: (s, sample) => void seen.push(`${s.id}=${sample}`),
      onError: (s, e) => void seen.push(`${s.id}!${(e as GlancesError).kind}`),
    });
    expect(seen.sort()).toEqual(['s0=S0', 's1=S1', 's2!refused', 's3=S3']);
    expect(stats).toMatchObject({ ok: 3, failed: 1 });
    expect(stats.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('cuts a poll that overruns its budget, even one that ignores its signal', async () => {
    const errors: Error[] = [];
    let aborted = false;
    const stats = await pollFleet(servers(2), {
      concurrency: 2,
      intervalMs: 0,
      timeoutMs: 50,
      poll: (s, ctx) => {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        return s.id === 's0' ? new Promise<number>(() => {}) : Promise.resolve(1);
      },
      onError: (_s, e) => void errors.push(e),
    });
    expect(stats).toMatchObject({ ok: 1, failed: 1 });
    expect(errors[0]).toBeInstanceOf(GlancesError);
    expect((errors[0] as GlancesError).kind).toBe('timeout');
    expect(aborted).toBe(true);
  });

  it('a failing sample handler is not the server failing', async () => {
    const handlerErrors: unknown[] = [];
    const stats = await pollFleet(servers(2), {
      concurrency: 1,
      intervalMs: 0,
      timeoutMs: 100,
      poll: async () => 1,
      onSample: () => {
        throw new Error('database is locked');
      },
      onHandlerError: (_s, e) => void handlerErrors.push(e),
    });
    expect(stats).toMatchObject({ ok: 2, failed: 0 });
    expect(handlerErrors).toHaveLength(2);
  });

  it('stops dispatching on abort and aborts polls in flight without reporting them as failures', async () => {
    const ac = new AbortController();
    const errors: unknown[] = [];
    const pending = pollFleet(servers(10), {
      concurrency: 2,
      intervalMs: 0,
      timeoutMs: 10_000,
      signal: ac.signal,
      poll: (_s, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
      onError: (_s, e) => void errors.push(e),
    });
    await tick(20);
    ac.abort();
    const stats = await pending;
    expect(stats).toMatchObject({ ok: 0, failed: 0, skipped: 10 });
    expect(errors).toEqual([]);
  });
});
