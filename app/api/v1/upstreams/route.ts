import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { createUpstream, listUpstreams } from '@/lib/proxy/upstreams';

export const GET = handle(proxyOps.listUpstreams, ({ actor, query }) => listUpstreams(actor, query));
export const POST = handle(proxyOps.createUpstream, ({ actor, body }) => createUpstream(actor, body));
