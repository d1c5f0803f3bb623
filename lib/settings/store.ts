import { eq } from 'drizzle-orm';
import { getDb } from '../db';

/**
 * The settings table's internal keys (not admin settings): the setup code's hash, the monitoring
 * rollup watermark. The settings feature owns the table; others keep their private values here.
 */
export async function readInternal<T>(key: string): Promise<T | undefined> {
  const { db, t } = getDb();
  const [row] = await db.select({ value: t.settings.value }).from(t.settings).where(eq(t.settings.key, key)).limit(1);
  return row?.value as T | undefined;
}

export async function writeInternal(key: string, value: unknown): Promise<void> {
  const { db, t } = getDb();
  const now = new Date();
  await db.insert(t.settings).values({ key, value, updatedAt: now }).onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: now } });
}

export async function deleteInternal(key: string): Promise<void> {
  const { db, t } = getDb();
  await db.delete(t.settings).where(eq(t.settings.key, key));
}
