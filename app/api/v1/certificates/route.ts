import { handle } from '@/lib/http/handler';
import { certificateOps } from '@/lib/certs/operations';
import { createCertificateResponse, listCertificates } from '@/lib/certs/service';

export const GET = handle(certificateOps.list, ({ actor, query }) => listCertificates(actor, query));
export const POST = handle(certificateOps.create, ({ actor, body }) => createCertificateResponse(actor, body));
