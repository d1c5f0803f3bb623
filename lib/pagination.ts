import { z } from 'zod';

/** `?limit=&cursor=` as CONTRACT.md defines them: default 50, max 500. */
export const listParams = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
});
export type ListParams = z.infer<typeof listParams>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Rows were fetched with `limit + 1` ordered by id (UUIDv7 ids sort by creation): the extra row
 * only says whether another page exists.
 */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(map), nextCursor: more ? kept[kept.length - 1].id : null };
}
