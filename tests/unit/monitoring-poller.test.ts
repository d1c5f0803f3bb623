import { describe, expect, it } from 'vitest';
import { GlancesError } from '@/lib/glances/http';
import { pollFleet, runPollLoop, Semaphore, staggerOffsets, type Clock } from '@/lib/monitoring/poller';

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

describe('runPollLoop', () => {
  async function runCycles(pollCostMs: number, cycles: number) {
    const clock = fakeClock();
    const ac = new AbortController();
    const spans: Array<[number, number]> = [];
    await runPollLoop(() => servers(2), {
      concurrency: 1,
      intervalMs: 1000,
      spreadMs: 0,
      timeoutMs: 10_000,
      clock,
      signal: ac.signal,
      poll: async () => {
        clock.t += pollCostMs; // the poll "takes" this long
        return 1;
      },
      onCycle: (stats) => {
        spans.push([stats.startedAt.getTime(), stats.startedAt.getTime() + stats.durationMs]);
        if (spans.length === cycles) ac.abort();
      },
    });
    return spans;
  }

  it('starts cycles on the interval when they finish in time', async () => {
    expect((await runCycles(100, 3)).map(([s]) => s)).toEqual([0, 1000, 2000]);
  });

  it('a long cycle makes the next one late, never concurrent', async () => {
    const spans = await runCycles(700, 3); // each cycle takes 1400 ms of a 1000 ms interval
    expect(spans.map(([s]) => s)).toEqual([0, 1400, 2800]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('survives a failing server list and passes the cycle number to polls', async () => {
    const clock = fakeClock();
    const ac = new AbortController();
    const cycles: number[] = [];
    let calls = 0;
    const sourceErrors: unknown[] = [];
    await runPollLoop(
      () => {
        if (++calls === 1) throw new Error('db down');
        if (calls === 4) ac.abort();
        return servers(1);
      },
      {
        concurrency: 1,
        intervalMs: 1000,
        timeoutMs: 100,
        clock,
        signal: ac.signal,
        poll: async (_s, ctx) => (cycles.push(ctx.cycle), 1),
        onSourceError: (e) => void sourceErrors.push(e),
      },
    );
    expect(sourceErrors).toHaveLength(1);
    expect(cycles).toEqual([1, 2]);
  });
});
