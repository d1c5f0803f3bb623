import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { deleteUpstream, getUpstream, updateUpstream } from '@/lib/proxy/upstreams';

export const GET = handle(proxyOps.getUpstream, ({ actor, params }) => getUpstream(actor, params.id));
export const PATCH = handle(proxyOps.updateUpstream, ({ actor, params, body }) => updateUpstream(actor, params.id, body));
export const DELETE = handle(proxyOps.deleteUpstream, ({ actor, params }) => deleteUpstream(actor, params.id));
