import { afterEach, describe, expect, it } from 'vitest';
import { installSignalHandlers, isDraining, onShutdown, resetLifecycle, shutdown, SHUTDOWN_PHASES } from '@/lib/lifecycle';

const quiet = () => {};

describe('lifecycle: graceful shutdown', () => {
  afterEach(() => resetLifecycle());

  it('runs the hooks phase by phase, whatever order they were registered in, and drains first', async () => {
    const seen: string[] = [];
    let drainingInFirstHook: boolean | undefined;
    // Registered backwards on purpose.
    for (const phase of [...SHUTDOWN_PHASES].reverse()) {
      onShutdown(phase, `${phase}-hook`, async () => {
        drainingInFirstHook ??= isDraining();
        seen.push(`${phase}:start`);
        await new Promise((r) => setImmediate(r));
        seen.push(`${phase}:end`);
      });
    }
    expect(isDraining()).toBe(false);
    await shutdown({ log: quiet });
    expect(drainingInFirstHook).toBe(true);
    expect(seen).toEqual(SHUTDOWN_PHASES.flatMap((p) => [`${p}:start`, `${p}:end`]));
  });

  it('a phase waits for all of its hooks, which run side by side', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    onShutdown('work', 'slow', async () => {
      seen.push('slow:start');
      await slow;
      seen.push('slow:end');
    });
    onShutdown('work', 'quick', () => {
      seen.push('quick');
      release();
    });
    onShutdown('database', 'db', () => void seen.push('db'));
    await shutdown({ log: quiet });
    expect(seen).toEqual(['slow:start', 'quick', 'slow:end', 'db']);
  });

  it('a failing hook is logged and the later phases still run', async () => {
    const lines: string[] = [];
    const seen: string[] = [];
    onShutdown('connections', 'ssh pool', () => {
      throw new Error('boom');
    });
    onShutdown('database', 'database', () => void seen.push('db closed'));
    await shutdown({ log: (l) => lines.push(l) });
    expect(seen).toEqual(['db closed']);
    expect(lines).toContain('[gatehouse] shutdown: ssh pool failed: boom');
  });

  it('is idempotent: a second call runs nothing twice', async () => {
    let runs = 0;
    onShutdown('work', 'scheduler', () => void runs++);
    const a = shutdown({ log: quiet });
    const b = shutdown({ log: quiet });
    expect(b).toBe(a);
    await a;
    await shutdown({ log: quiet });
    expect(runs).toBe(1);
  });

  it('a hook registered again under its name replaces the first', async () => {
    const seen: string[] = [];
    onShutdown('streams', 'events', () => void seen.push('old'));
    onShutdown('streams', 'events', () => void seen.push('new'));
    await shutdown({ log: quiet });
    expect(seen).toEqual(['new']);
  });

  it('SIGTERM shuts down and exits 0; a repeated signal is ignored', async () => {
    const codes: number[] = [];
    let runs = 0;
    let exited!: () => void;
    const done = new Promise<void>((r) => (exited = r));
    onShutdown('work', 'tasks', () => void runs++);
    const uninstall = installSignalHandlers({ exit: (c) => (codes.push(c), exited()), log: quiet });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      process.emit('SIGINT', 'SIGINT');
      await done;
      expect(codes).toEqual([0]);
      expect(runs).toBe(1);
    } finally {
      uninstall();
    }
  });

  it('a hook that never returns: the hard timer exits 1 and says why', async () => {
    const lines: string[] = [];
    let exited!: (code: number) => void;
    const code = new Promise<number>((r) => (exited = r));
    onShutdown('database', 'hangs', () => new Promise<void>(() => {}));
    const uninstall = installSignalHandlers({ exit: (c) => exited(c), log: (l) => lines.push(l), hardTimeoutMs: 20 });
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(await code).toBe(1);
      expect(lines.some((l) => l.includes('shutdown did not finish'))).toBe(true);
    } finally {
      uninstall();
    }
  });
});
