import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import { getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireServerVisible, visibleServerIds } from '../access/rbac';
import { NotFoundError, parseInput } from '../errors';
import { toPage, type Page } from '../pagination';
import { hasAllTags } from '../servers/tags';
import { fleetQuery, type FleetItem } from './schemas';
import type { LastSample } from './sample-writer';

/**
 * The fleet as the dashboard shows it: every server the actor may see with its status and latest
 * sample. Live changes then arrive as `metrics` and `server.status` events.
 */

type Row = {
  id: string;
  name: string;
  status: 'unknown' | 'up' | 'down';
  monitoringEnabled: boolean;
  glancesUrl: string | null;
  lastSeenAt: Date | null;
  lastError: string | null;
  lastSample: Record<string, unknown> | null;
  tags: string[] | null;
};

function columns() {
  const { t } = getDb();
  const s = t.servers;
  return { id: s.id, name: s.name, status: s.status, monitoringEnabled: s.monitoringEnabled, glancesUrl: s.glancesUrl, lastSeenAt: s.lastSeenAt, lastError: s.lastError, lastSample: s.lastSample, tags: s.tags };
}

function toItem(r: Row): FleetItem {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    monitoringEnabled: r.monitoringEnabled,
    glancesConfigured: Boolean(r.glancesUrl?.trim()),
    lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
    lastError: r.lastError,
    sample: (r.lastSample as unknown as LastSample | null) ?? null,
    tags: r.tags ?? [],
  };
}

export async function listFleet(actor: Actor, query: unknown): Promise<Page<FleetItem>> {
  const { limit, cursor, tag } = parseInput(fleetQuery, query);
  const { db, t } = getDb();
  const visible = await visibleServerIds(actor);
  if (visible && visible.length === 0) return { items: [], nextCursor: null };
  const where: SQL[] = [];
  if (visible) where.push(inArray(t.servers.id, visible));
  if (cursor) where.push(gt(t.servers.id, cursor));
  const tagged = hasAllTags(t.servers.tags, tag);
  if (tagged) where.push(tagged);
  const rows = await db
    .select(columns())
    .from(t.servers)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(t.servers.id))
    .limit(limit + 1);
  return toPage(rows, limit, toItem);
}

/** One server's fleet entry; 404 when it does not exist or is not shared with a user. */
export async function getFleetServer(actor: Actor, serverId: string): Promise<FleetItem> {
  await requireServerVisible(actor, serverId);
  const { db, t } = getDb();
  const [row] = await db.select(columns()).from(t.servers).where(eq(t.servers.id, serverId));
  if (!row) throw new NotFoundError('Server');
  return toItem(row);
}
