import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { listFleetUptime } from '@/lib/monitoring/uptime';

export const dynamic = 'force-dynamic';
export const GET = handle(monitoringOps.fleetUptime, ({ actor }) => listFleetUptime(actor));
