import { handle } from '@/lib/http/handler';
import { auditOps } from '@/lib/audit/operations';
import { listAudit } from '@/lib/audit';

export const GET = handle(auditOps.list, ({ actor, query }) => listAudit(actor, query));
