import { z } from 'zod';
import { defineOperations } from '../operation';
import { listParams } from '../pagination';

const entry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ id: z.string().nullable(), email: z.string().nullable() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  address: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const auditOps = defineOperations({
  list: {
    method: 'GET', path: '/audit', summary: 'Audit log, newest first', tag: 'audit', auth: 'admin', query: listParams,
    response: z.object({ items: z.array(entry), nextCursor: z.string().nullable() }),
  },
});
