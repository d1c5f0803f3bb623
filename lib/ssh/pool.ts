import { createHash } from 'node:crypto';
import { config } from '../config';
import { connectSsh, type ConnectOptions, type SshConnection, type SshTarget } from './client';
import { SshConnectionLostError } from './errors';

export interface PoolOptions {
  /** Close a connection nobody has used for this long. */
  idleMs?: number;
  /**
   * Re-handshake before using a connection older than this, so a host key changed under a live
   * session (sshd restarted with a new key, the old session kept) is noticed and refused.
   * A function is read at every use (the process pool follows SSH_POOL_MAX_AGE_SECONDS).
   */
  maxAgeMs?: number | (() => number);
  /** Monotonic milliseconds; injected for tests. */
  now?: () => number;
  /** A function is read at every connect (the process pool follows SSH_CONNECT_TIMEOUT_SECONDS). */
  connectOptions?: ConnectOptions | (() => ConnectOptions);
  /** Injected for tests; defaults to `connectSsh`. */
  connect?: (target: SshTarget, opts?: ConnectOptions) => Promise<SshConnection>;
}

export interface PoolStats {
  /** Successful handshakes (new connections) since the pool was made. */
  handshakes: number;
  failedHandshakes: number;
  /** Calls served by a connection that was already open or opening. */
  reuses: number;
  open: number;
}

interface Entry {
  identity: string;
  /** The pinned fingerprint it was opened with, then the one it actually saw. */
  fingerprint: string | null;
  ready: Promise<SshConnection>;
  conn: SshConnection | null;
  /** When the handshake finished (`now()`), or null while it is still opening. */
  openedAt: number | null;
  users: number;
  retired: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Who we log in as, hashed: a change of host, port, user or credentials must not reuse a
 * connection authenticated with the old ones. The pin is compared separately (see `fits`).
 */
function identityOf(t: SshTarget): string {
  return createHash('sha256').update(JSON.stringify([t.host, t.port, t.username, t.auth])).digest('hex');
}

/**
 * One SSH connection per server id, shared by every caller and closed after an idle period.
 * A connect in flight is shared too, so a burst of callers costs one handshake.
 */
export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private readonly counters = { handshakes: 0, failedHandshakes: 0, reuses: 0 };
  private readonly idleMs: number;
  private readonly maxAgeMs: () => number;
  private readonly now: () => number;
  private readonly connect: NonNullable<PoolOptions['connect']>;

  constructor(private readonly options: PoolOptions = {}) {
    this.idleMs = options.idleMs ?? 60_000;
    const maxAge = options.maxAgeMs ?? Infinity;
    this.maxAgeMs = typeof maxAge === 'function' ? maxAge : () => maxAge;
    this.now = options.now ?? (() => performance.now());
    this.connect = options.connect ?? connectSsh;
  }

  /**
   * Runs `fn` with the server's pooled connection (opening it when needed). `fresh`: never reuse
   * an open connection, handshake anew (checking the pin) and pool the result; the old
   * connection is dropped, closing once its in-flight commands finish.
   */
  async withConnection<T>(serverId: string, target: SshTarget, fn: (conn: SshConnection) => Promise<T>, opts: { fresh?: boolean } = {}): Promise<T> {
    const entry = await this.acquire(serverId, target, opts.fresh ?? false);
    try {
      return await fn(entry.conn!);
    } finally {
      this.release(serverId, entry);
    }
  }

  /** Closes the server's connection (after its current users finish), e.g. when it was deleted. */
  evict(serverId: string): void {
    const entry = this.entries.get(serverId);
    if (entry) this.retire(serverId, entry);
  }

  /** Closes every connection now; in-flight commands fail with SshConnectionLostError. */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        clearTimeout(e.idleTimer);
        e.retired = true;
        const conn = await e.ready.catch(() => null);
        conn?.close();
      }),
    );
  }

  /** How long ago the server's pooled connection finished its handshake; null when there is none. */
  ageOf(serverId: string): number | null {
    const e = this.entries.get(serverId);
    if (!e || e.openedAt === null || e.conn?.closed) return null;
    return this.now() - e.openedAt;
  }

  stats(): PoolStats {
    let open = 0;
    for (const e of this.entries.values()) if (e.conn && !e.conn.closed) open++;
    return { ...this.counters, open };
  }

  private async acquire(serverId: string, target: SshTarget, fresh: boolean): Promise<Entry> {
    const identity = identityOf(target);
    for (let attempt = 0; ; attempt++) {
      let entry = this.entries.get(serverId);
      // A connect still in flight is a fresh handshake already, so a fresh caller may share it.
      if (entry && ((fresh && attempt === 0 && entry.openedAt !== null) || !this.fits(entry, identity, target))) {
        this.retire(serverId, entry);
        entry = undefined;
      }
      const opened = !entry;
      entry ??= this.open(serverId, target, identity);
      entry.users++;
      clearTimeout(entry.idleTimer);
      let conn: SshConnection;
      try {
        conn = await entry.ready;
      } catch (err) {
        entry.users--;
        throw err;
      }
      // A TOFU connection saw a key other than the one now pinned, or it died meanwhile:
      // drop it and connect again, which fails with HostKeyMismatchError or succeeds anew.
      const pin = target.hostKeyFingerprint;
      if ((pin !== null && conn.hostKey.fingerprint !== pin) || conn.closed) {
        entry.users--;
        this.retire(serverId, entry);
        if (attempt >= 2) throw new SshConnectionLostError(`server ${serverId}: connection kept closing while opening`);
        continue;
      }
      if (!opened) this.counters.reuses++;
      return entry;
    }
  }

  private fits(entry: Entry, identity: string, target: SshTarget): boolean {
    if (entry.retired || entry.identity !== identity || entry.conn?.closed) return false;
    if (entry.openedAt !== null && this.now() - entry.openedAt >= this.maxAgeMs()) return false;
    const pin = target.hostKeyFingerprint;
    return pin === null || entry.fingerprint === null || entry.fingerprint === pin;
  }

  private open(serverId: string, target: SshTarget, identity: string): Entry {
    const entry: Entry = {
      identity,
      fingerprint: target.hostKeyFingerprint,
      ready: undefined as unknown as Promise<SshConnection>,
      conn: null,
      openedAt: null,
      users: 0,
      retired: false,
      idleTimer: undefined,
    };
    const connectOptions = typeof this.options.connectOptions === 'function' ? this.options.connectOptions() : this.options.connectOptions;
    entry.ready = this.connect(target, connectOptions).then(
      (conn) => {
        this.counters.handshakes++;
        entry.conn = conn;
        entry.openedAt = this.now();
        entry.fingerprint = conn.hostKey.fingerprint;
        conn.onClose(() => this.forget(serverId, entry));
        if (entry.retired && entry.users === 0) conn.close();
        return conn;
      },
      (err: unknown) => {
        // Failures are not cached: the next caller tries again.
        this.counters.failedHandshakes++;
        this.forget(serverId, entry);
        throw err;
      },
    );
    this.entries.set(serverId, entry);
    return entry;
  }

  private release(serverId: string, entry: Entry): void {
    entry.users--;
    if (entry.users > 0) return;
    if (entry.retired || entry.conn?.closed) {
      entry.conn?.close();
      return;
    }
    entry.idleTimer = setTimeout(() => {
      if (entry.users === 0) this.retire(serverId, entry);
    }, this.idleMs);
    // An idle connection must not keep the process (a CLI run, a test worker) alive.
    entry.idleTimer.unref();
  }

  private retire(serverId: string, entry: Entry): void {
    entry.retired = true;
    clearTimeout(entry.idleTimer);
    this.forget(serverId, entry);
    if (entry.users === 0) entry.conn?.close();
  }

  private forget(serverId: string, entry: Entry): void {
    if (this.entries.get(serverId) === entry) this.entries.delete(serverId);
  }
}

const globalKey = Symbol.for('gatehouse.sshPool');

/** The process-wide pool, kept on globalThis so dev-mode module reloads do not leak connections. */
export function getSshPool(): SshPool {
  const g = globalThis as { [globalKey]?: SshPool };
  g[globalKey] ??= new SshPool({
    maxAgeMs: () => config().SSH_POOL_MAX_AGE_SECONDS * 1000,
    connectOptions: () => ({ readyTimeoutMs: config().SSH_CONNECT_TIMEOUT_SECONDS * 1000 }),
  });
  return g[globalKey];
}

/** Shorthand for `getSshPool().withConnection(...)`. */
export function withConnection<T>(serverId: string, target: SshTarget, fn: (conn: SshConnection) => Promise<T>, opts: { fresh?: boolean } = {}): Promise<T> {
  return getSshPool().withConnection(serverId, target, fn, opts);
}
