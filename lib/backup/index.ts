import { getTableColumns, getTableName, sql, eq } from 'drizzle-orm';
import { z } from 'zod';
import { atomically, getDb, type Tables } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { ConflictError, ValidationError } from '../errors';
import { recordAudit } from '../audit';
import { keyRing, sealedKeyId } from '../crypto/secret-box';
import { version } from '../system/health';

/**
 * The whole configuration as one JSON document: what an admin set up, not what Gatehouse observed
 * (no metrics, tasks, incidents, events, sessions or API tokens). Secrets stay sealed exactly as
 * stored, so the file is no more sensitive than the database; importing needs the same
 * ENCRYPTION_KEY (or the old key in the ring) to be useful.
 */
const CONFIG_TABLES = [
  'users',
  'recoveryCodes',
  'settings',
  'templates',
  'servers',
  'serverShares',
  'upstreams',
  'upstreamTargets',
  'certificates',
  // Before domains: they name access lists. Users keep their password hashes only.
  'accessLists',
  'domains',
  'streams',
  'alertRules',
  'silences',
] as const satisfies readonly (keyof Tables)[];
type ConfigTable = (typeof CONFIG_TABLES)[number];

/** Tables that must be empty before an import: it restores a configuration, it does not merge. */
const MUST_BE_EMPTY: ConfigTable[] = ['servers', 'upstreams', 'domains', 'certificates', 'silences', 'accessLists', 'streams'];

// Rows that are runtime state rather than configuration.
const SKIP_SETTINGS = new Set(['setup.codeHash']);

export const exportDocument = z.object({
  format: z.literal('gatehouse-export'),
  version: z.number().int().min(1).max(1),
  gatehouseVersion: z.string(),
  exportedAt: z.string(),
  tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
});
export type ExportDocument = z.infer<typeof exportDocument>;

const tableOf = (name: ConfigTable) => getDb().t[name] as unknown as Parameters<typeof getTableColumns>[0];

function toJson(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

function fromJson(name: ConfigTable, row: Record<string, unknown>): Record<string, unknown> {
  const cols = getTableColumns(tableOf(name));
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(cols)) {
    if (!(k in row)) continue;
    const v = row[k];
    out[k] = col.dataType === 'date' && typeof v === 'string' ? new Date(v) : v;
  }
  return out;
}

export async function exportConfiguration(actor: Actor): Promise<ExportDocument> {
  requireAdmin(actor);
  const { db } = getDb();
  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const name of CONFIG_TABLES) {
    const table = tableOf(name);
    let rows = (await db.select().from(table as never)) as Record<string, unknown>[];
    if (name === 'settings') rows = rows.filter((r) => !SKIP_SETTINGS.has(String(r.key)));
    if (name === 'templates') rows = rows.filter((r) => !r.builtin);
    const key = Object.keys(getTableColumns(table))[0];
    tables[name] = rows.map(toJson).sort((a, b) => String(a[key]).localeCompare(String(b[key])));
  }
  await recordAudit(actor, 'config.export', { type: 'configuration' }, { counts: Object.fromEntries(Object.entries(tables).map(([k, v]) => [k, v.length])) });
  return { format: 'gatehouse-export', version: 1, gatehouseVersion: version, exportedAt: new Date().toISOString(), tables };
}

/** Every sealed value must open with this installation's key ring, or the import would be useless. */
function assertKeysAvailable(doc: ExportDocument) {
  const ring = keyRing();
  const missing = new Set<string>();
  for (const rows of Object.values(doc.tables)) {
    for (const row of rows) {
      for (const [k, v] of Object.entries(row)) {
        if ((k.endsWith('Enc') || k === 'secret') && typeof v === 'string' && v.startsWith('v1.') && !ring.all.has(sealedKeyId(v))) missing.add(sealedKeyId(v));
      }
    }
  }
  if (missing.size) {
    throw ValidationError.field('file', `The export's secrets were sealed with key ${[...missing].join(', ')}, which this installation does not have. Set ENCRYPTION_KEY (or ENCRYPTION_KEYS_RETIRED) to that key.`);
  }
}

export async function importConfiguration(actor: Actor, input: unknown): Promise<Record<string, number>> {
  requireAdmin(actor);
  const parsed = exportDocument.safeParse(input);
  if (!parsed.success) throw ValidationError.field('file', 'This is not a Gatehouse export (format gatehouse-export, version 1).');
  const doc = parsed.data;
  assertKeysAvailable(doc);
  const counts: Record<string, number> = {};
  await atomically(async (db) => {
    for (const name of MUST_BE_EMPTY) {
      const [r] = (await db.select({ n: sql<number>`count(*)` }).from(tableOf(name) as never)) as Array<{ n: number }>;
      if (Number(r.n) > 0) throw new ConflictError('not_empty', `Import needs an empty configuration, but ${getTableName(tableOf(name) as never)} has rows.`);
    }
    const { t } = getDb();
    // With no servers there can be no per-server rules: what is there is the global defaults every
    // start seeds. The export carries the rules as they were configured, so they replace those.
    await db.delete(t.alertRules);
    // Users already present (e.g. the admin running the import) keep their row; shares follow them.
    const userIdMap = new Map<string, string>();
    for (const name of CONFIG_TABLES) {
      const rows = (doc.tables[name] ?? []).map((r) => fromJson(name, r));
      counts[name] = 0;
      for (const row of rows) {
        if (name === 'users') {
          const [existing] = await db.select({ id: t.users.id }).from(t.users).where(eq(t.users.email, String(row.email))).limit(1);
          if (existing) {
            userIdMap.set(String(row.id), existing.id);
            continue;
          }
        }
        if (name === 'serverShares') row.userId = userIdMap.get(String(row.userId)) ?? row.userId;
        // A user already here keeps their own two-factor set-up (their row was kept, not replaced).
        if (name === 'recoveryCodes' && userIdMap.has(String(row.userId))) continue;
        const insert = db.insert(tableOf(name) as never).values(row as never);
        if (name === 'settings' || name === 'templates' || name === 'users') await insert.onConflictDoNothing();
        else await insert;
        counts[name]++;
      }
    }
    await recordAudit(actor, 'config.import', { type: 'configuration' }, { counts });
  });
  return counts;
}
