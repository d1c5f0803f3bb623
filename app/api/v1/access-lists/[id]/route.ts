import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { deleteAccessList, getAccessList, updateAccessList } from '@/lib/proxy/access-lists';

export const GET = handle(proxyOps.getAccessList, ({ actor, params }) => getAccessList(actor, params.id));
export const PATCH = handle(proxyOps.updateAccessList, ({ actor, params, body }) => updateAccessList(actor, params.id, body));
export const DELETE = handle(proxyOps.deleteAccessList, ({ actor, params }) => deleteAccessList(actor, params.id));
