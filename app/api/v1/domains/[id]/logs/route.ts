import { handle } from '@/lib/http/handler';
import { logOps } from '@/lib/proxy/log-operations';
import { readDomainLog } from '@/lib/proxy/logs';

export const dynamic = 'force-dynamic';
export const GET = handle(logOps.domainLogs, ({ actor, params, query }) => readDomainLog(actor, params.id, query));
