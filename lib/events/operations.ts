import { z } from 'zod';
import { defineOperations } from '../operation';

export const eventOps = defineOperations({
  stream: {
    method: 'GET', path: '/events', summary: 'Server-Sent Events: live changes you may see', tag: 'events', auth: 'user',
    query: z.object({ lastEventId: z.coerce.number().int().min(0).max(2_147_483_647).optional(), types: z.string().max(500).optional() }),
    produces: 'text/event-stream',
    description: 'Frames `id`, `event`, `data` (JSON); a `: ping` comment at least every 15 s; resume with the `Last-Event-ID` header. Types: server.status, metrics, task.updated, task.log, alert.fired, alert.resolved, domain.updated, stream.updated, and more. `types` filters by a comma-separated list.',
  },
});
