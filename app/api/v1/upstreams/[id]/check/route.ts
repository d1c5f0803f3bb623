import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { checkUpstreamNow } from '@/lib/monitoring/upstream-health';

export const POST = handle(monitoringOps.checkUpstream, ({ actor, params }) => checkUpstreamNow(actor, params.id));
