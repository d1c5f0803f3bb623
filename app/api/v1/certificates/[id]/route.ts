import { handle } from '@/lib/http/handler';
import { certificateOps } from '@/lib/certs/operations';
import { deleteCertificate, getCertificate } from '@/lib/certs/service';

export const GET = handle(certificateOps.get, ({ actor, params }) => getCertificate(actor, params.id));
export const DELETE = handle(certificateOps.remove, ({ actor, params }) => deleteCertificate(actor, params.id));
