import { handle } from '@/lib/http/handler';
import { streamOps } from '@/lib/proxy/stream-operations';
import { createStream, listStreams } from '@/lib/proxy/streams';

export const GET = handle(streamOps.listStreams, ({ actor, query }) => listStreams(actor, query));
export const POST = handle(streamOps.createStream, ({ actor, body }) => createStream(actor, body));
