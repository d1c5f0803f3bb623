import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { listFleet } from '@/lib/monitoring/fleet';

export const dynamic = 'force-dynamic';
export const GET = handle(monitoringOps.fleet, ({ actor, query }) => listFleet(actor, query));
