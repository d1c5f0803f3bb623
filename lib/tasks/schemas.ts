import { z } from 'zod';

export const taskStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'interrupted']);

export const taskSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: taskStatus,
  progress: z.number().int(),
  serverId: z.string().nullable(),
  domainId: z.string().nullable(),
  error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TaskDto = z.infer<typeof taskSchema>;

export const taskLogLine = z.object({ seq: z.number().int(), at: z.string(), stream: z.enum(['stdout', 'stderr', 'info']), text: z.string() });

export const taskListParams = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
  serverId: z.string().max(100).optional(),
  status: taskStatus.optional(),
});

/** Log sequence numbers are 32-bit integers in the database: a larger `after` names nothing (and PostgreSQL would refuse it). */
const MAX_SEQ = 2_147_483_647;
export const taskLogParams = z.object({ after: z.coerce.number().int().min(0).max(MAX_SEQ).default(0), limit: z.coerce.number().int().min(1).max(5000).default(1000) });

export const taskAccepted = z.object({ taskId: z.string() });
