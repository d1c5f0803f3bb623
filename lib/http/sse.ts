import type { Actor } from '../access/actor';
import { eventStream } from '../events/sse';

/**
 * GET /events as a response. `X-Accel-Buffering: no` lets an Nginx in front pass the stream
 * unbuffered.
 */
export function sseResponse(request: Request, actor: Actor, types?: Set<string>): Response {
  return new Response(eventStream(request, actor, types), {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
}
