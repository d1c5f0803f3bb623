/**
 * The manifest: what was last deployed to a server, file by file (table deployed_files). It is
 * the base for "what would a deploy change" and for drift. Private keys keep their hash only.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { getDb } from '../db';
import { secretStandIn, type DeployFile } from './load';

export interface ManifestFile {
  path: string;
  sha256: string;
  content: string;
  deployedAt: Date;
}

export async function loadManifest(serverId: string, paths?: string[]): Promise<ManifestFile[]> {
  const { db, t } = getDb();
  if (paths && paths.length === 0) return [];
  const rows = await db
    .select({ path: t.deployedFiles.path, sha256: t.deployedFiles.sha256, content: t.deployedFiles.content, deployedAt: t.deployedFiles.deployedAt })
    .from(t.deployedFiles)
    .where(and(eq(t.deployedFiles.serverId, serverId), paths ? inArray(t.deployedFiles.path, paths) : undefined));
  return rows.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Only hashes: what the drift check compares with the server. */
export async function loadManifestHashes(serverId: string): Promise<Map<string, string>> {
  const { db, t } = getDb();
  const rows = await db.select({ path: t.deployedFiles.path, sha256: t.deployedFiles.sha256 }).from(t.deployedFiles).where(eq(t.deployedFiles.serverId, serverId));
  return new Map(rows.map((r) => [r.path, r.sha256]));
}

/**
 * Records a successful deploy: `written` files replace their rows, `removed` paths go. Call
 * inside the transaction that also records the domains' new status.
 */
export async function recordManifest(serverId: string, written: DeployFile[], removed: string[], at: Date): Promise<void> {
  const { db, t } = getDb();
  const gone = [...new Set([...removed, ...written.map((f) => f.path)])];
  for (let i = 0; i < gone.length; i += 500) {
    await db.delete(t.deployedFiles).where(and(eq(t.deployedFiles.serverId, serverId), inArray(t.deployedFiles.path, gone.slice(i, i + 500))));
  }
  const rows = written.map((f) => ({ serverId, path: f.path, sha256: f.sha256, content: f.secret ? secretStandIn(f.sha256, f.path) : f.content, deployedAt: at }));
  for (let i = 0; i < rows.length; i += 200) await db.insert(t.deployedFiles).values(rows.slice(i, i + 200));
}
