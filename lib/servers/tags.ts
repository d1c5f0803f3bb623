/**
 * Tags on servers and domains (CONTRACT.md "Second wave"): lower-case labels
 * `[a-z0-9][a-z0-9-]{0,31}`, stored normalised (trimmed, lower-cased, unique, sorted) in a JSON
 * column of the row. `?tag=a&tag=b` keeps the rows that carry every given tag.
 */
import { sql, type SQL, type AnyColumn } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '../db';

export const TAG_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const MAX_TAGS = 20;

export const tagSchema = z
  .string({ error: 'A tag is text.' })
  .trim()
  .toLowerCase()
  .regex(TAG_PATTERN, 'Use lower-case letters, digits and "-" (at most 32 characters, not starting with "-").');

/** A list of tags as written (any case, duplicates) → stored form. One bad tag names itself. */
export const tagsInput = z
  .array(z.unknown(), { error: 'Give a list of tags.' })
  .max(MAX_TAGS, `At most ${MAX_TAGS} tags.`)
  .transform((list, ctx) => {
    const out = new Set<string>();
    for (const raw of list) {
      const r = tagSchema.safeParse(raw);
      if (typeof raw !== 'string') {
        ctx.addIssue({ code: 'custom', message: 'Each tag is text.' });
        return z.NEVER;
      }
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: `"${String(raw).slice(0, 40)}" is not a tag: use lower-case letters, digits and "-" (at most 32 characters, not starting with "-").` });
        return z.NEVER;
      }
      out.add(r.data);
    }
    return [...out].sort();
  });

/** `?tag=a&tag=b` (one or several) → the tags, normalised. */
export const tagQuery = z
  .union([tagSchema, z.array(tagSchema).max(MAX_TAGS, `At most ${MAX_TAGS} tags.`)])
  .optional()
  .transform((v) => (v === undefined ? [] : [...new Set([v].flat())].sort()));

/** A WHERE condition: the JSON tag column holds every one of `tags` (undefined when none given). */
export function hasAllTags(column: AnyColumn, tags: readonly string[]): SQL | undefined {
  if (!tags.length) return undefined;
  if (getDb().dialect === 'postgres') return sql`${column} @> ${JSON.stringify(tags)}::jsonb`;
  const each = tags.map((tag) => sql`exists (select 1 from json_each(${column}) where json_each.value = ${tag})`);
  return sql`(${sql.join(each, sql` and `)})`;
}
