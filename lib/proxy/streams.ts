/**
 * Streams: TCP or UDP forwarding through Nginx's `stream {}` module, a port on one server to an
 * upstream pool. Admins write; a user reads the streams of servers shared with them (404 for the
 * rest). A port can carry one stream per protocol, and never one of the server's HTTP listener
 * ports (`port_in_use`). Every write leaves the stream `pending` until a deploy of the server's
 * streams.conf (POST /streams/{id}/deploy, or a whole-server deploy).
 */
import { and, asc, eq, gt, inArray, ne } from 'drizzle-orm';
import { z } from 'zod';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin, requireServerVisible, visibleServerIds } from '../access/rbac';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { AppError, NotFoundError, ValidationError, parseInput, zodFields } from '../errors';
import { listParams, toPage, type ListParams } from '../pagination';
import { idSchema, portSchema } from '../nginx/grammar';
import { nginxLayoutOf } from '../nginx/layout';

export type StreamRow = typeof import('../db/schema/sqlite').streams.$inferSelect;
export type StreamStatus = StreamRow['status'];

const protocol = z.enum(['tcp', 'udp'], { error: 'Protocol must be one of: tcp, udp.' });
const streamFields = { serverId: idSchema, protocol, listenPort: portSchema, upstreamId: idSchema };

export const streamInput = z.strictObject({ ...streamFields, protocol: protocol.default('tcp') });
export const streamPatch = z.strictObject(streamFields).partial();
export type StreamInput = z.output<typeof streamInput>;

export const streamSchema = z.object({
  id: z.string(),
  serverId: z.string(),
  protocol: z.enum(['tcp', 'udp']),
  listenPort: z.number().int(),
  upstreamId: z.string(),
  status: z.enum(['pending', 'deployed', 'failed']),
  /** Why the last deploy failed (Nginx's own message). */
  lastError: z.string().nullable(),
  deployedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StreamDto = z.infer<typeof streamSchema>;
export const streamList = z.object({ items: z.array(streamSchema), nextCursor: z.string().nullable() });

export const streamListParams = listParams.extend({ serverId: z.string().max(100).optional() });

export function toStreamDto(s: StreamRow): StreamDto {
  return {
    id: s.id,
    serverId: s.serverId,
    protocol: s.protocol,
    listenPort: s.listenPort,
    upstreamId: s.upstreamId,
    status: s.status,
    lastError: s.lastError,
    deployedAt: s.deployedAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export async function publishStreamStatus(s: { id: string; serverId: string; status: string }, extra: Record<string, unknown> = {}): Promise<void> {
  await publish({ type: 'stream.updated', serverId: s.serverId, data: { streamId: s.id, status: s.status, ...extra } });
}

export async function findStream(id: string): Promise<StreamRow | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.streams).where(eq(t.streams.id, id)).limit(1);
  return row;
}

/** The streams of one server, by port (what its streams.conf holds). */
export async function streamsOnServer(serverId: string): Promise<StreamRow[]> {
  const { db, t } = getDb();
  return db.select().from(t.streams).where(eq(t.streams.serverId, serverId)).orderBy(asc(t.streams.listenPort), asc(t.streams.protocol));
}

export async function listStreams(actor: Actor, params: ListParams & { serverId?: string }) {
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.streams)
    .where(
      and(
        params.cursor ? gt(t.streams.id, params.cursor) : undefined,
        params.serverId ? eq(t.streams.serverId, params.serverId) : undefined,
        visible ? inArray(t.streams.serverId, visible) : undefined,
      ),
    )
    .orderBy(asc(t.streams.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, toStreamDto);
}

export async function visibleStream(actor: Actor, id: string): Promise<StreamRow> {
  const row = await findStream(id);
  if (!row) throw new NotFoundError('Stream');
  await requireServerVisible(actor, row.serverId, 'Stream');
  return row;
}

export async function getStream(actor: Actor, id: string): Promise<StreamDto> {
  return toStreamDto(await visibleStream(actor, id));
}

/** 409 `port_in_use`, with the message on `listenPort` too so that a form shows it beside the field. */
const portInUse = (message: string, details: Record<string, unknown>) => new AppError(409, 'port_in_use', message, { listenPort: [message] }, details);

/** Server and upstream exist; the port is free on that server (HTTP listeners and other streams). */
async function checkStream(data: StreamInput, selfId?: string): Promise<void> {
  const { db, t } = getDb();
  const [server] = await db.select({ id: t.servers.id, nginxPaths: t.servers.nginxPaths }).from(t.servers).where(eq(t.servers.id, data.serverId)).limit(1);
  if (!server) throw ValidationError.field('serverId', 'No such server.');
  const [upstream] = await db.select({ id: t.upstreams.id }).from(t.upstreams).where(eq(t.upstreams.id, data.upstreamId)).limit(1);
  if (!upstream) throw ValidationError.field('upstreamId', 'No such upstream.');
  // Every domain of the server listens on the layout's HTTP and HTTPS ports. They count for UDP
  // too: one port number meaning two services is a trap, and HTTP/3 would take UDP there.
  let http = { httpPort: 80, httpsPort: 443 };
  try {
    http = nginxLayoutOf(server);
  } catch {
    /* an unusable stored layout is the servers feature's error; the defaults still apply */
  }
  if (data.listenPort === http.httpPort || data.listenPort === http.httpsPort) {
    const which = data.listenPort === http.httpPort ? 'HTTP' : 'HTTPS';
    throw portInUse(`Port ${data.listenPort} is the server's ${which} listener (its domains answer there).`, { listener: which.toLowerCase() });
  }
  const [other] = await db
    .select({ id: t.streams.id })
    .from(t.streams)
    .where(and(eq(t.streams.serverId, data.serverId), eq(t.streams.protocol, data.protocol), eq(t.streams.listenPort, data.listenPort), selfId ? ne(t.streams.id, selfId) : undefined))
    .limit(1);
  if (other) throw portInUse(`Another ${data.protocol.toUpperCase()} stream on this server already listens on port ${data.listenPort}.`, { streamId: other.id });
}

export async function createStream(actor: Actor, input: unknown): Promise<StreamDto> {
  requireAdmin(actor);
  const data = parseInput(streamInput, input);
  const row = await atomically(async (db) => {
    const { t } = getDb();
    await checkStream(data);
    const now = new Date();
    const r: StreamRow = { id: newId(), ...data, status: 'pending', lastError: null, deployedAt: null, createdAt: now, updatedAt: now };
    await db.insert(t.streams).values(r);
    await recordAudit(actor, 'stream.create', { type: 'stream', id: r.id }, { serverId: r.serverId, protocol: r.protocol, listenPort: r.listenPort, upstreamId: r.upstreamId });
    await publishStreamStatus(r);
    return r;
  });
  return toStreamDto(row);
}

export async function updateStream(actor: Actor, id: string, input: unknown): Promise<StreamDto> {
  requireAdmin(actor);
  const patch = parseInput(streamPatch, input);
  const row = await atomically(async (db) => {
    const { t } = getDb();
    const current = await findStream(id);
    if (!current) throw new NotFoundError('Stream');
    const checked = streamInput.safeParse({ serverId: current.serverId, protocol: current.protocol, listenPort: current.listenPort, upstreamId: current.upstreamId, ...patch });
    if (!checked.success) throw new ValidationError(zodFields(checked.error));
    await checkStream(checked.data, id);
    const next: StreamRow = { ...current, ...checked.data, status: 'pending', updatedAt: new Date() };
    await db.update(t.streams).set({ ...checked.data, status: 'pending', updatedAt: next.updatedAt }).where(eq(t.streams.id, id));
    await recordAudit(actor, 'stream.update', { type: 'stream', id }, { fields: Object.keys(patch), serverId: next.serverId, listenPort: next.listenPort });
    await publishStreamStatus(next);
    // Moved to another server: the old server's file still has it until that server's next deploy.
    return next;
  });
  return toStreamDto(row);
}

/** Deletes the stream; its block leaves the server at the next deploy of that server's streams. */
export async function deleteStream(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findStream(id);
    if (!current) throw new NotFoundError('Stream');
    await db.delete(t.streams).where(eq(t.streams.id, id));
    await recordAudit(actor, 'stream.delete', { type: 'stream', id }, { serverId: current.serverId, protocol: current.protocol, listenPort: current.listenPort });
    await publishStreamStatus(current, { deleted: true });
  });
}

/** The deploy outcome; a stream edited while the deploy ran keeps `pending`. */
export async function setStreamsStatus(rows: StreamRow[], status: StreamStatus, opts: { lastError?: string | null; deployedAt?: Date; unchangedSince: Date }): Promise<void> {
  const { db, t } = getDb();
  for (const r of rows) {
    const changed = await db
      .update(t.streams)
      .set({ status, lastError: opts.lastError ?? null, ...(opts.deployedAt && { deployedAt: opts.deployedAt }) })
      .where(and(eq(t.streams.id, r.id), eq(t.streams.updatedAt, r.updatedAt)))
      .returning({ id: t.streams.id });
    if (changed.length) await publishStreamStatus({ id: r.id, serverId: r.serverId, status });
  }
}
