import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { createAccessList, listAccessLists } from '@/lib/proxy/access-lists';

export const GET = handle(proxyOps.listAccessLists, ({ actor, query }) => listAccessLists(actor, query));
export const POST = handle(proxyOps.createAccessList, ({ actor, body }) => createAccessList(actor, body));
