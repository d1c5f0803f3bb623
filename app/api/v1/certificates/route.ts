import { answer, handle } from '@/lib/http/handler';
import { certificateOps } from '@/lib/certs/operations';
import { createCertificate, listCertificates } from '@/lib/certs/service';

export const GET = handle(certificateOps.list, ({ actor, query }) => listCertificates(actor, query));
export const POST = handle(certificateOps.create, async ({ actor, body }) => {
  const r = await createCertificate(actor, body);
  return r.kind === 'acme' ? answer(202, { taskId: r.taskId, certificateId: r.certificateId }) : answer(201, r.certificate);
});
