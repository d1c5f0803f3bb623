import { handle } from '@/lib/http/handler';
import { eventOps } from '@/lib/events/operations';
import { sseResponse } from '@/lib/http/sse';

export const dynamic = 'force-dynamic';
export const GET = handle(eventOps.stream, async ({ actor, query, request }) =>
  sseResponse(request, actor, query.types ? new Set(query.types.split(',')) : undefined),
);
