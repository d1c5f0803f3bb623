import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { createDomain, listDomains } from '@/lib/proxy/domains';

export const GET = handle(proxyOps.listDomains, ({ actor, query }) => listDomains(actor, query));
export const POST = handle(proxyOps.createDomain, ({ actor, body }) => createDomain(actor, body));
