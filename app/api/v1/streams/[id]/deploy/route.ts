import { handle } from '@/lib/http/handler';
import { streamOps } from '@/lib/proxy/stream-operations';
import { enqueueStreamDeploy } from '@/lib/proxy/stream-deploy';

export const POST = handle(streamOps.deployStream, ({ actor, params }) => enqueueStreamDeploy(actor, params.id));
