import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { checkDomainDns } from '@/lib/monitoring/dns-service';

export const POST = handle(monitoringOps.checkDns, ({ actor, params }) => checkDomainDns(actor, params.id));
