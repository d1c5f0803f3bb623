import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { getServerDrift } from '@/lib/proxy/drift';

export const GET = handle(proxyOps.serverDrift, ({ actor, params }) => getServerDrift(actor, params.id));
