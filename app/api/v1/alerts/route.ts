import { handle } from '@/lib/http/handler';
import { alertOps } from '@/lib/alerts/operations';
import { listAlerts } from '@/lib/alerts/store';

export const GET = handle(alertOps.list, ({ actor, query }) => listAlerts(actor, query));
