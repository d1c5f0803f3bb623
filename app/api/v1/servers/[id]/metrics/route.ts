import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { getServerMetrics } from '@/lib/monitoring/history';

export const GET = handle(monitoringOps.metrics, ({ actor, params, query }) => getServerMetrics(actor, params.id, query));
