import { handle } from '@/lib/http/handler';
import { streamOps } from '@/lib/proxy/stream-operations';
import { deleteStream, getStream, updateStream } from '@/lib/proxy/streams';

export const GET = handle(streamOps.getStream, ({ actor, params }) => getStream(actor, params.id));
export const PATCH = handle(streamOps.updateStream, ({ actor, params, body }) => updateStream(actor, params.id, body));
export const DELETE = handle(streamOps.deleteStream, ({ actor, params }) => deleteStream(actor, params.id));
