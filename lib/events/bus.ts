import { EventEmitter } from 'node:events';
import { and, asc, desc, gt, lt } from 'drizzle-orm';
import { afterCommit, getDb, rawDb } from '../db';

/**
 * The event bus. Every state change is a row in `events` (so a reconnecting browser can resume
 * from Last-Event-ID) and is then delivered to this process's subscribers; on PostgreSQL it
 * crosses instances through NOTIFY, carrying the whole event so no instance has to re-read it.
 */
export interface GatehouseEvent {
  id: number;
  at: string;
  type: string;
  data: Record<string, unknown>;
  /** Visibility: the server it concerns (users who share it see it), a single user, or everyone. */
  serverId: string | null;
  userId: string | null;
  everyone: boolean;
}

export interface PublishInput {
  type: string;
  data: Record<string, unknown>;
  serverId?: string | null;
  userId?: string | null;
  everyone?: boolean;
}

const CHANNEL = 'gatehouse_events';
// NOTIFY payloads are capped at 8000 bytes; long strings in event data are cut below that.
const MAX_STRING = 2000;

const g = globalThis as unknown as { __gatehouseBus?: { emitter: EventEmitter; listening?: Promise<void>; highest?: number; published?: number } };
function bus() {
  if (!g.__gatehouseBus) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    g.__gatehouseBus = { emitter };
  }
  return g.__gatehouseBus;
}

function clip(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = typeof v === 'string' && v.length > MAX_STRING ? v.slice(0, MAX_STRING) + '…' : v;
  return out;
}

export async function publish(input: PublishInput): Promise<GatehouseEvent> {
  const { db, t } = getDb();
  const at = new Date();
  const data = clip(input.data);
  const [row] = await db
    .insert(t.events)
    .values({ at, type: input.type, data, serverId: input.serverId ?? null, userId: input.userId ?? null, everyone: input.everyone ?? false })
    .returning({ id: t.events.id });
  const event: GatehouseEvent = {
    id: Number(row.id),
    at: at.toISOString(),
    type: input.type,
    data,
    serverId: input.serverId ?? null,
    userId: input.userId ?? null,
    everyone: input.everyone ?? false,
  };
  afterCommit(() => deliver(event));
  return event;
}

/**
 * Several events in one multi-row insert (ids ascend in input order), each delivered after commit
 * like `publish`. For producers with a burst per cycle, e.g. one `metrics` event per polled server.
 */
export async function publishMany(inputs: readonly PublishInput[]): Promise<GatehouseEvent[]> {
  if (!inputs.length) return [];
  const { db, t } = getDb();
  const at = new Date();
  const rows = inputs.map((input) => ({ at, type: input.type, data: clip(input.data), serverId: input.serverId ?? null, userId: input.userId ?? null, everyone: input.everyone ?? false }));
  const ids = (await db.insert(t.events).values(rows).returning({ id: t.events.id })).map((r) => Number(r.id)).sort((a, b) => a - b);
  const events = rows.map((r, i) => ({ ...r, id: ids[i], at: at.toISOString() }));
  afterCommit(() => events.forEach(deliver));
  return events;
}

function deliver(event: GatehouseEvent) {
  const b = bus();
  b.published = Math.max(b.published ?? 0, event.id);
  const { pg, dialect } = rawDb();
  if (dialect === 'postgres' && pg) {
    pg.notify(CHANNEL, JSON.stringify(event)).catch((err) => console.error('[gatehouse] notify failed:', err.message));
  } else {
    bus().emitter.emit('event', event);
  }
}

/** Subscribes this process to every event; returns the unsubscribe function. */
export function subscribe(listener: (e: GatehouseEvent) => void): () => void {
  const b = bus();
  const { pg, dialect } = rawDb();
  if (dialect === 'postgres' && pg && !b.listening) {
    let first = true;
    b.listening = pg
      .listen(
        CHANNEL,
        (payload) => {
          try {
            const event = JSON.parse(payload) as GatehouseEvent;
            b.highest = Math.max(b.highest ?? 0, event.id);
            b.emitter.emit('event', event);
          } catch {
            /* a foreign payload on our channel: ignore */
          }
        },
        () => {
          // postgres.js LISTENs again on a new connection after losing one (PostgreSQL restarted);
          // whatever was NOTIFYed in between reached nobody, so it is replayed from the table.
          if (!first) return void catchUp(b);
          first = false;
          void latestEventId().then((id) => void (b.highest ??= id), () => undefined);
        },
      )
      .then(() => undefined);
  }
  b.emitter.on('event', listener);
  return () => b.emitter.off('event', listener);
}

/**
 * Shutdown, before event streams close: on PostgreSQL this process's own events come back through
 * LISTEN a moment after NOTIFY; waits (up to `timeoutMs`) until the last one it published has,
 * so a stream still sees e.g. the final state of a task interrupted just before. SQLite delivers
 * in-process at once.
 */
export async function flushBus(timeoutMs = 2_000): Promise<void> {
  const b = bus();
  if (!b.listening || b.published === undefined) return;
  const deadline = Date.now() + timeoutMs;
  while ((b.highest ?? 0) < b.published && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** Resolves once this process receives events from other instances (PostgreSQL LISTEN ready). */
export async function busReady(): Promise<void> {
  await bus().listening;
}

/** The highest event id committed so far (0: none). */
export async function latestEventId(): Promise<number> {
  const { db, t } = getDb();
  const [row] = await db.select({ id: t.events.id }).from(t.events).orderBy(desc(t.events.id)).limit(1);
  return row ? Number(row.id) : 0;
}

/** Emits the events committed since the last one this process received (subscribers drop repeats by id, as SSE does). */
async function catchUp(b: NonNullable<typeof g.__gatehouseBus>): Promise<void> {
  try {
    for (const event of await eventsSince(b.highest ?? (await latestEventId()))) {
      if (event.id <= (b.highest ?? 0)) continue;
      b.highest = event.id;
      b.emitter.emit('event', event);
    }
  } catch (err) {
    console.error('[gatehouse] replaying events after a reconnect failed:', (err as Error).message);
  }
}

/** Events after `afterId`, oldest first, for Last-Event-ID resume. */
export async function eventsSince(afterId: number, limit = 1000): Promise<GatehouseEvent[]> {
  const { db, t } = getDb();
  const rows = await db.select().from(t.events).where(gt(t.events.id, afterId)).orderBy(asc(t.events.id)).limit(limit);
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at.toISOString(),
    type: r.type,
    data: r.data,
    serverId: r.serverId,
    userId: r.userId,
    everyone: r.everyone,
  }));
}

/** Drops events older than `keepMs` (resume only needs the recent past). */
export async function pruneEvents(keepMs: number): Promise<void> {
  const { db, t } = getDb();
  await db.delete(t.events).where(and(lt(t.events.at, new Date(Date.now() - keepMs))));
}

/** Tests: forget the PG listener after switching databases. */
export function resetBus() {
  g.__gatehouseBus = undefined;
}
