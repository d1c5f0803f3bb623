import { z } from 'zod';
import { defineOperations } from '../operation';
import { auditListParams } from './index';

const entry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ id: z.string().nullable(), email: z.string().nullable() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable().describe('What the target is called now, else what the record noted; null for a deleted, unnamed one.') }),
  address: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const auditOps = defineOperations({
  list: {
    method: 'GET', path: '/audit', summary: 'Audit log, newest first', tag: 'audit', auth: 'admin', query: auditListParams,
    description: 'Filter with `action` (exact, e.g. `server.create`), `type` (target type, e.g. `server`) and `user` (the actor\'s id).',
    response: z.object({ items: z.array(entry), nextCursor: z.string().nullable() }),
  },
});
