import { handle } from '@/lib/http/handler';
import { monitoringOps } from '@/lib/monitoring/operations';
import { getServerUptime } from '@/lib/monitoring/uptime';

export const dynamic = 'force-dynamic';
export const GET = handle(monitoringOps.serverUptime, ({ actor, params }) => getServerUptime(actor, params.id));
