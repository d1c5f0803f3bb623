import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { deleteDomain, getDomain, updateDomain } from '@/lib/proxy/domains';

export const GET = handle(proxyOps.getDomain, ({ actor, params }) => getDomain(actor, params.id));
export const PATCH = handle(proxyOps.updateDomain, ({ actor, params, body }) => updateDomain(actor, params.id, body));
export const DELETE = handle(proxyOps.deleteDomain, ({ actor, params }) => deleteDomain(actor, params.id));
