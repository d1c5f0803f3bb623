import { and, eq, gt, lt, or, sql } from 'drizzle-orm';
import { getDb } from '../db';
import { RateLimitedError } from '../errors';

/**
 * Failed sign-ins are counted per account and per address over a sliding window, in the
 * database so that every instance sees the same counts.
 */
const WINDOW_MS = 15 * 60_000;
const PER_ACCOUNT = 5;
const PER_ADDRESS = 20;

const keys = (email: string, address: string | null) => ({
  account: `account:${email.toLowerCase()}`,
  address: address ? `address:${address}` : null,
});

export async function assertSignInAllowed(email: string, address: string | null): Promise<void> {
  const { db, t } = getDb();
  const k = keys(email, address);
  const since = new Date(Date.now() - WINDOW_MS);
  const rows = await db
    .select({ key: t.authFailures.key, n: sql<number>`count(*)` })
    .from(t.authFailures)
    .where(and(gt(t.authFailures.at, since), k.address ? or(eq(t.authFailures.key, k.account), eq(t.authFailures.key, k.address)) : eq(t.authFailures.key, k.account)))
    .groupBy(t.authFailures.key);
  for (const r of rows) {
    const limit = r.key === k.account ? PER_ACCOUNT : PER_ADDRESS;
    if (Number(r.n) >= limit) throw new RateLimitedError(WINDOW_MS / 1000, 'Too many failed sign-ins. Wait 15 minutes and try again.');
  }
}

export async function recordSignInFailure(email: string, address: string | null): Promise<void> {
  const { db, t } = getDb();
  const k = keys(email, address);
  const at = new Date();
  await db.insert(t.authFailures).values([{ key: k.account, at }, ...(k.address ? [{ key: k.address, at }] : [])]);
}

export async function clearSignInFailures(email: string): Promise<void> {
  const { db, t } = getDb();
  await db.delete(t.authFailures).where(eq(t.authFailures.key, keys(email, null).account));
}

export async function pruneSignInFailures(): Promise<void> {
  const { db, t } = getDb();
  await db.delete(t.authFailures).where(lt(t.authFailures.at, new Date(Date.now() - WINDOW_MS)));
}
