import { z } from 'zod';
import { tagSchema } from '../servers/tags';

export const BULK_ACTIONS = ['deploy', 'test', 'silence', 'share'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const MAX_BULK_SERVERS = 1000;

const servers = z.union(
  [
    z.strictObject({
      ids: z
        .array(z.string().min(1).max(100), { error: 'Give a list of server ids.' })
        .min(1, 'Choose at least one server.')
        .max(MAX_BULK_SERVERS, `At most ${MAX_BULK_SERVERS} servers at once.`),
    }),
    z.strictObject({ tag: tagSchema }),
  ],
  { error: 'Give {"ids": [...]} or {"tag": "..."}.' },
);

/** `POST /bulk` (CONTRACT.md "Second wave"). */
export const bulkInput = z
  .strictObject({
    action: z.enum(BULK_ACTIONS, { error: 'Choose deploy, test, silence or share.' }),
    servers,
    /** silence: how long, from now. */
    durationMinutes: z
      .number({ error: 'Enter the minutes as a number.' })
      .int('Whole minutes.')
      .min(1, 'At least 1 minute.')
      .max(366 * 24 * 60, 'A silence lasts at most a year.')
      .optional(),
    /** share: the user to share every server with (read-only; existing shares stay). */
    userId: z.string().min(1).max(100).optional(),
    /** silence: the reason shown on each silence. */
    reason: z.string().trim().max(500, 'At most 500 characters.').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.action === 'silence' && v.durationMinutes === undefined) ctx.addIssue({ code: 'custom', path: ['durationMinutes'], message: 'Enter how many minutes to silence for.' });
    if (v.action === 'share' && !v.userId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'Choose the user to share with.' });
  });
export type BulkInput = z.output<typeof bulkInput>;

/** What a bulk task stores as its input (the servers resolved when it was queued). */
export interface BulkTaskInput {
  action: BulkAction;
  serverIds: string[];
  tag?: string;
  durationMinutes?: number;
  userId?: string;
  reason?: string;
  [key: string]: unknown;
}

export const bulkItemOutcome = z.object({ serverId: z.string(), name: z.string(), outcome: z.enum(['succeeded', 'failed', 'skipped']), message: z.string() });
export type BulkItemOutcome = z.infer<typeof bulkItemOutcome>;
