import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { deleteTemplate, getTemplate, updateTemplate } from '@/lib/proxy/templates-service';

export const GET = handle(proxyOps.getTemplate, ({ actor, params }) => getTemplate(actor, params.id));
export const PATCH = handle(proxyOps.updateTemplate, ({ actor, params, body }) => updateTemplate(actor, params.id, body));
export const DELETE = handle(proxyOps.deleteTemplate, ({ actor, params }) => deleteTemplate(actor, params.id));
