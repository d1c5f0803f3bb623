import { handle } from '@/lib/http/handler';
import { certificateOps } from '@/lib/certs/operations';
import { renewCertificate } from '@/lib/certs/service';

export const POST = handle(certificateOps.renew, ({ actor, params }) => renewCertificate(actor, params.id));
