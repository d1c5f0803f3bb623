import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { enqueueServerDeploy } from '@/lib/proxy/deploy';

export const POST = handle(proxyOps.deployServer, ({ actor, params }) => enqueueServerDeploy(actor, params.id));
