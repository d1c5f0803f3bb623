import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { createTemplate, listTemplates } from '@/lib/proxy/templates-service';

export const GET = handle(proxyOps.listTemplates, ({ actor, query }) => listTemplates(actor, query));
export const POST = handle(proxyOps.createTemplate, ({ actor, body }) => createTemplate(actor, body));
