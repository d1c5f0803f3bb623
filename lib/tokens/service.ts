import crypto from 'node:crypto';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { NotFoundError, parseInput } from '../errors';
import { recordAudit } from '../audit';
import { toPage, type ListParams } from '../pagination';
import { tokenCreateInput, type TokenDto } from './schemas';

/** Tokens are `gh_` + 32 random bytes; only their SHA-256 is stored, so a leak of the DB is no key. */
export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

type TokenRow = typeof import('../db/schema/sqlite').apiTokens.$inferSelect;

const toDto = (r: TokenRow): TokenDto => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  expiresAt: r.expiresAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

/** Creates a token for `ownerId` (the actor, unless the CLI acts for someone). The secret is shown once. */
export async function createToken(actor: Actor, input: unknown, ownerId = actor.id) {
  const data = parseInput(tokenCreateInput, input);
  const token = `gh_${crypto.randomBytes(32).toString('base64url')}`;
  const now = new Date();
  const row = {
    id: newId(),
    userId: ownerId,
    name: data.name,
    tokenHash: hashToken(token),
    prefix: token.slice(0, 10),
    createdAt: now,
    expiresAt: data.expiresDays ? new Date(now.getTime() + data.expiresDays * 86_400_000) : null,
  };
  await atomically(async (db) => {
    const { t } = getDb();
    await db.insert(t.apiTokens).values(row);
    await recordAudit(actor, 'token.create', { type: 'token', id: row.id }, { name: row.name, ownerId });
  });
  return { id: row.id, name: row.name, token };
}

/** A token was used (lib/auth, at most once a granularity period). */
export async function markTokenUsed(id: string, at: Date): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.apiTokens).set({ lastUsedAt: at }).where(eq(t.apiTokens.id, id));
}

export async function listTokens(actor: Actor, params: ListParams) {
  const { db, t } = getDb();
  const rows = await db
    .select()
    .from(t.apiTokens)
    .where(and(eq(t.apiTokens.userId, actor.id), params.cursor ? gt(t.apiTokens.id, params.cursor) : undefined))
    .orderBy(asc(t.apiTokens.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, toDto);
}

/** Revokes one of the actor's own tokens (the CLI may revoke any). */
export async function revokeToken(actor: Actor, id: string): Promise<void> {
  await atomically(async (db) => {
    const { t } = getDb();
    const [row] = await db.select().from(t.apiTokens).where(eq(t.apiTokens.id, id)).limit(1);
    if (!row || (actor.via !== 'cli' && row.userId !== actor.id)) throw new NotFoundError('Token');
    if (!row.revokedAt) await db.update(t.apiTokens).set({ revokedAt: new Date() }).where(eq(t.apiTokens.id, id));
    await recordAudit(actor, 'token.revoke', { type: 'token', id }, { name: row.name });
  });
}

/** Ends every token of a user (password change, deactivation). Runs inside the caller's transaction. */
export async function revokeAllTokensOf(userId: string): Promise<void> {
  const { db, t } = getDb();
  await db
    .update(t.apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(t.apiTokens.userId, userId), isNull(t.apiTokens.revokedAt)));
}
