import { z } from 'zod';
import { PLAIN_LINE, PLAIN_LINE_MESSAGE } from '../text';

export const tokenCreateInput = z.strictObject({
  name: z.string().trim().min(1, 'Give the token a name.').max(100, 'Use at most 100 characters.').regex(PLAIN_LINE, PLAIN_LINE_MESSAGE),
  expiresDays: z.number().int().min(1, 'At least 1 day.').max(3650, 'At most 3650 days.').nullable().optional(),
});

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenDto = z.infer<typeof tokenSchema>;

export const tokenCreatedSchema = z.object({ id: z.string(), name: z.string(), token: z.string() });
