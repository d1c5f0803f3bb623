import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq, isNotNull } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { config } from '../config';
import { recordAudit } from '../audit';
import type { Actor } from '../access/actor';
import { keyId, makeKeyRing, open, seal, setKeyRing, keyRing } from '../crypto/secret-box';

/** Every sealed column in the schema: [table, primary key column, sealed columns]. */
function sealedColumns() {
  const { t } = getDb();
  return [
    { table: t.settings, pk: t.settings.key, cols: [t.settings.secret] },
    { table: t.users, pk: t.users.id, cols: [t.users.totpSecretEnc, t.users.totpPendingEnc] },
    { table: t.servers, pk: t.servers.id, cols: [t.servers.passwordEnc, t.servers.privateKeyEnc, t.servers.passphraseEnc, t.servers.glancesPasswordEnc] },
    { table: t.certificates, pk: t.certificates.id, cols: [t.certificates.privateKeyEnc] },
  ] as const;
}

/**
 * Re-seals every stored secret under a new key, in one transaction. The new key is written to
 * DATA_DIR first (as encryption-key.next) so a crash after the commit can never leave secrets
 * under a key nobody kept; with a file-managed key it then replaces the old one.
 */
export async function rotateKeys(actor: Actor): Promise<{ count: number; newKeyId: string; envManaged: boolean; newKey?: string }> {
  const cfg = config();
  const oldRing = keyRing();
  const newKeyB64 = crypto.randomBytes(32).toString('base64');
  const nextFile = path.join(cfg.DATA_DIR, 'encryption-key.next');
  fs.mkdirSync(cfg.DATA_DIR, { recursive: true });
  fs.writeFileSync(nextFile, newKeyB64 + '\n', { mode: 0o600 });
  const ring = makeKeyRing(newKeyB64, [...oldRing.all.values()].map((k) => k.toString('base64')));
  let count = 0;
  await atomically(async (db) => {
    for (const { table, pk, cols } of sealedColumns()) {
      for (const col of cols) {
        const rows = (await db.select({ pk, v: col }).from(table as never).where(isNotNull(col))) as Array<{ pk: string; v: string }>;
        for (const r of rows) {
          await db.update(table as never).set({ [colKey(table, col)]: seal(open(r.v, ring), ring) } as never).where(eq(pk, r.pk));
          count++;
        }
      }
    }
    await recordAudit(actor, 'keys.rotate', { type: 'keys' }, { count, newKeyId: keyId(ring.current) });
  });
  setKeyRing(ring);
  const envManaged = cfg.fromEnv.has('ENCRYPTION_KEY');
  if (!envManaged) fs.renameSync(nextFile, path.join(cfg.DATA_DIR, 'encryption-key'));
  return { count, newKeyId: keyId(ring.current), envManaged, ...(envManaged && { newKey: newKeyB64 }) };
}

/** The JS property name of a column object within its table (Drizzle `set` takes property names). */
function colKey(table: object, col: object): string {
  for (const [k, v] of Object.entries(table)) if (v === col) return k;
  throw new Error('column not in table');
}
