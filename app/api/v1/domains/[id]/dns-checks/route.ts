import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { listDnsChecks } from '@/lib/monitoring/dns-service';

export const GET = handle(monitoringOps.dnsChecks, ({ actor, params, query }) => listDnsChecks(actor, params.id, query));
