import { describe, expect, it } from 'vitest';
import type { SshConnection, SshTarget } from '@/lib/ssh/client';
import { SshConnectError } from '@/lib/ssh/errors';
import { SshPool } from '@/lib/ssh/pool';

/**
 * Pool bookkeeping in isolation (the real-sshd behaviour is in tests/integration/ssh-pool):
 * connections here are stand-ins that only know whether they are closed.
 */
class StandIn {
  closed = false;
  private listeners: ((e: Error) => void)[] = [];
  constructor(readonly target: SshTarget, readonly hostKey = { fingerprint: 'SHA256:seen', algorithm: 'ssh-ed25519', matchedPin: false }) {}
  onClose(l: (e: Error) => void) {
    this.listeners.push(l);
    return () => undefined;
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners) l(new Error('closed'));
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const target = (over: Partial<SshTarget> = {}): SshTarget => ({
  host: 'h',
  port: 22,
  username: 'root',
  auth: { type: 'password', password: 'p' },
  hostKeyFingerprint: null,
  ...over,
});

function setup(opts: { maxAgeMs?: number } = {}) {
  const made: StandIn[] = [];
  const gates: ReturnType<typeof deferred<void>>[] = [];
  const clock = { now: 0 };
  const pool = new SshPool({
    idleMs: 60_000,
    maxAgeMs: opts.maxAgeMs,
    now: () => clock.now,
    connect: async (t) => {
      const gate = gates.shift();
      if (gate) await gate.promise;
      const c = new StandIn(t);
      made.push(c);
      return c as unknown as SshConnection;
    },
  });
  return { pool, made, gates, clock };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('SshPool', () => {
  it('callers arriving during a connect share it; a failed connect fails them all once and is not cached', async () => {
    const { pool, made, gates } = setup();
    const gate = deferred<void>();
    gates.push(gate);
    const calls = [1, 2, 3].map(() => pool.withConnection('s', target(), async (c) => c));
    gate.reject(new SshConnectError('refused'));
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(pool.stats()).toMatchObject({ handshakes: 0, failedHandshakes: 1 });
    await pool.withConnection('s', target(), async () => undefined);
    expect(made).toHaveLength(1);
  });

  it('a credential change while the old connection is busy: the old one closes when its user is done', async () => {
    const { pool, made } = setup();
    const release = deferred<void>();
    const busy = pool.withConnection('s', target(), () => release.promise);
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    await pool.withConnection('s', target({ auth: { type: 'password', password: 'new' } }), async () => undefined);
    expect(made).toHaveLength(2);
    expect(made[0].closed).toBe(false);
    release.resolve();
    await busy;
    expect(made[0].closed).toBe(true);
    expect(made[1].closed).toBe(false);
  });

  it('evict closes an idle connection at once; closeAll closes the rest', async () => {
    const { pool, made } = setup();
    await pool.withConnection('a', target(), async () => undefined);
    await pool.withConnection('b', target(), async () => undefined);
    pool.evict('a');
    expect(made.map((c) => c.closed)).toEqual([true, false]);
    await pool.closeAll();
    expect(made.map((c) => c.closed)).toEqual([true, true]);
    expect(pool.stats().open).toBe(0);
  });

  it('a connection past the max age is replaced on its next use, and closes once its in-flight command is done', async () => {
    const { pool, made, clock } = setup({ maxAgeMs: 600_000 });
    await pool.withConnection('s', target(), async () => undefined);
    clock.now = 599_999;
    await pool.withConnection('s', target(), async () => undefined);
    expect(made).toHaveLength(1);
    const release = deferred<void>();
    const busy = pool.withConnection('s', target(), () => release.promise);
    await settle();
    clock.now = 600_000;
    expect(pool.ageOf('s')).toBe(600_000);
    await pool.withConnection('s', target(), async () => undefined);
    expect(made).toHaveLength(2);
    expect(made[0].closed).toBe(false); // its command is still running
    expect(pool.ageOf('s')).toBe(0);
    release.resolve();
    await busy;
    expect(made.map((c) => c.closed)).toEqual([true, false]);
    expect(pool.stats()).toMatchObject({ handshakes: 2, open: 1 });
  });

  it('fresh: a new handshake although a connection is open; the new one is pooled, the old one closes after its user', async () => {
    const { pool, made } = setup();
    await pool.withConnection('s', target(), async () => undefined);
    const release = deferred<void>();
    const busy = pool.withConnection('s', target(), () => release.promise);
    await settle();
    const used = await pool.withConnection('s', target(), async (c) => c, { fresh: true });
    expect(made).toHaveLength(2);
    expect(used).toBe(made[1]);
    expect(made[0].closed).toBe(false);
    release.resolve();
    await busy;
    expect(made[0].closed).toBe(true);
    expect(await pool.withConnection('s', target(), async (c) => c)).toBe(made[1]);
  });

  it('fresh shares a connect already in flight; a failed fresh connect leaves nothing pooled', async () => {
    const { pool, made, gates } = setup();
    const gate = deferred<void>();
    gates.push(gate);
    const first = pool.withConnection('s', target(), async (c) => c);
    const fresh = pool.withConnection('s', target(), async (c) => c, { fresh: true });
    gate.resolve();
    expect(await first).toBe(await fresh);
    expect(made).toHaveLength(1);

    const failing = deferred<void>();
    gates.push(failing);
    const refused = pool.withConnection('s', target(), async () => undefined, { fresh: true });
    failing.reject(new SshConnectError('refused'));
    await expect(refused).rejects.toBeInstanceOf(SshConnectError);
    expect(made[0].closed).toBe(true);
    expect(pool.ageOf('s')).toBeNull();
    expect(pool.stats().open).toBe(0);
  });

  it('an error thrown by the caller does not close a healthy connection', async () => {
    const { pool, made } = setup();
    await expect(pool.withConnection('s', target(), async () => Promise.reject(new Error('caller bug')))).rejects.toThrow('caller bug');
    await pool.withConnection('s', target(), async () => undefined);
    expect(made).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ handshakes: 1, reuses: 1, open: 1 });
    await pool.closeAll();
  });
});
