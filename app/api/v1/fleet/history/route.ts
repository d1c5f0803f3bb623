import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { getFleetHistory } from '@/lib/monitoring/fleet-history';

export const dynamic = 'force-dynamic';
export const GET = handle(monitoringOps.fleetHistory, ({ actor, query }) => getFleetHistory(actor, query));
