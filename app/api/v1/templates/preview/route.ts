import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { previewTemplateFor } from '@/lib/proxy/templates-service';

export const POST = handle(proxyOps.previewTemplate, async ({ actor, body }) => {
  const text = await previewTemplateFor(actor, body);
  return new Response(text, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
});
