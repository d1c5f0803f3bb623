import { handle } from '@/lib/http/handler';
import { logOps } from '@/lib/proxy/log-operations';
import { followDomainLog } from '@/lib/proxy/logs';
import { sseBodyResponse } from '@/lib/http/sse-body';

export const dynamic = 'force-dynamic';
export const GET = handle(logOps.domainLogStream, async ({ actor, params, query, request }) => sseBodyResponse(await followDomainLog(request, actor, params.id, query)));
