import type { Actor } from '../access/actor';
import { visibleServerIds } from '../access/rbac';
import { eventsSince, latestEventId, subscribe, type GatehouseEvent } from './bus';
import { metrics } from '../metrics';

const HEARTBEAT_MS = 15_000;
// Server visibility is re-read when shares change, and at least this often.
const VISIBILITY_TTL_MS = 30_000;
// How many delivered ids a stream remembers to drop repeats (more than one replay holds).
const RECENT_IDS = 2_000;
// A live event whose id is above the next one expected waits this long for the ones before it.
const HOLD_MS = 1_000;

/** May this actor see this event? Admins see all; users see their own and their shared servers'. */
export function canSee(actor: Actor, visible: Set<string> | null, e: GatehouseEvent): boolean {
  if (actor.role === 'admin' || e.everyone) return true;
  if (e.userId) return e.userId === actor.id;
  return e.serverId !== null && visible !== null && visible.has(e.serverId);
}

// Every open stream's cleanup, so shutdown can end them (globalThis: one set per process).
const gs = globalThis as unknown as { __gatehouseStreams?: Set<() => void> };
const openStreams = () => (gs.__gatehouseStreams ??= new Set());

/** Shutdown: ends every open event stream (browsers reconnect to another instance, or later). */
export function closeAllStreams(): number {
  const all = [...openStreams()];
  for (const close of all) close();
  return all.length;
}

/**
 * One event as a frame. A late one (its id below one already sent on this stream) goes without an
 * `id:` line, so the client's Last-Event-ID stays the highest id it has: a resume after it replays
 * nothing twice.
 */
const frame = (e: GatehouseEvent, late = false) => `${late ? '' : `id: ${e.id}\n`}event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;

/**
 * The Server-Sent Events stream for one signed-in actor: resumes after Last-Event-ID, then streams
 * live events this actor may see, with a `: ping` comment every 15 s, and cleans up on abort.
 * lib/http/sse.ts answers it as a response.
 */
export function eventStream(request: Request, actor: Actor, types?: Set<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // Event ids are 32-bit serials: anything else in Last-Event-ID (a float, a negative or a huge number, text) resumes nothing.
  const given = Number(request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId') ?? NaN);
  const lastId = Number.isInteger(given) && given >= 0 && given <= 2_147_483_647 ? given : NaN;
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let visible: Set<string> | null = null;
      let visibleAt = 0;
      const refresh = async () => {
        const ids = await visibleServerIds(actor);
        visible = ids ? new Set(ids) : null;
        visibleAt = Date.now();
      };
      const send = (chunk: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          cleanup();
        }
      };
      const wanted = (e: GatehouseEvent) => (!types || types.has(e.type)) && canSee(actor, visible, e);

      // Subscribe first, synchronously, buffering live events: the response's headers (the
      // browser's "open", where it catches up) may go out before any await below finishes, and
      // nothing published from then on may fall between the subscription and the replay.
      const buffered: GatehouseEvent[] = [];
      let replaying = true;
      // Ids come from one sequence but events reach the stream in commit order, which can differ
      // (transactions on several instances at once). Live events are put back in id order: one
      // above the next id expected waits up to HOLD_MS for those before it. What still comes
      // later than a higher id is sent as a late frame (see `frame`). Repeats are dropped by id
      // (a replayed event can also arrive live, and the bus re-emits after a LISTEN reconnect).
      const sent = new Set<number>(Number.isFinite(lastId) ? [lastId] : []);
      let highest = Number.isFinite(lastId) ? lastId : 0;
      const deliver = (e: GatehouseEvent) => {
        if (sent.has(e.id)) return;
        sent.add(e.id);
        if (sent.size > RECENT_IDS) sent.delete(sent.values().next().value!);
        const late = e.id < highest;
        highest = Math.max(highest, e.id);
        if (wanted(e)) send(frame(e, late));
      };
      const live = (e: GatehouseEvent) => {
        if (e.type === 'server.shares' || Date.now() - visibleAt > VISIBILITY_TTL_MS) {
          void refresh().then(() => deliver(e));
        } else deliver(e);
      };
      const pending = new Map<number, GatehouseEvent>();
      // The highest id handed on in order so far (a new stream starts from the latest committed).
      let upTo = Number.isFinite(lastId) ? lastId : 0;
      let hold: NodeJS.Timeout | undefined;
      const release = (all: boolean) => {
        for (let next = pending.get(upTo + 1); next; next = pending.get(upTo + 1)) {
          pending.delete(next.id);
          upTo = next.id;
          live(next);
        }
        if (all) {
          for (const e of [...pending.values()].sort((a, b) => a.id - b.id)) {
            upTo = Math.max(upTo, e.id);
            live(e);
          }
          pending.clear();
        }
        if (pending.size === 0 && hold) {
          clearTimeout(hold);
          hold = undefined;
        } else if (pending.size > 0 && !hold) {
          hold = setTimeout(() => {
            hold = undefined;
            release(true);
          }, HOLD_MS);
        }
      };
      const accept = (e: GatehouseEvent) => {
        if (e.id <= upTo) return live(e); // late, or a repeat (dropped by id)
        pending.set(e.id, e);
        release(false);
      };
      const unsubscribe = subscribe((e) => {
        if (replaying) return void buffered.push(e);
        accept(e);
      });
      const ping = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
      metrics().sseClients.inc();
      cleanup = () => {
        if (closed) return;
        closed = true;
        metrics().sseClients.dec();
        openStreams().delete(cleanup);
        clearInterval(ping);
        if (hold) clearTimeout(hold);
        unsubscribe();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      request.signal.addEventListener('abort', cleanup);
      openStreams().add(cleanup);

      await refresh();
      send('retry: 3000\n: connected\n\n');
      if (Number.isFinite(lastId)) for (const e of await eventsSince(lastId)) deliver(e);
      else upTo = await latestEventId().catch(() => 0);
      upTo = Math.max(upTo, highest);
      replaying = false;
      // Live events that came during the replay: in order, those above the replay held as any.
      for (const e of buffered.sort((a, b) => a.id - b.id)) accept(e);
      buffered.length = 0;
    },
    cancel() {
      cleanup();
    },
  });

  return stream;
}
