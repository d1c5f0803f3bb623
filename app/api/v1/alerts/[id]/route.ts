import { handle } from '@/lib/http/handler';
import { alertOps } from '@/lib/alerts/operations';
import { getAlert } from '@/lib/alerts/store';

export const GET = handle(alertOps.get, ({ actor, params }) => getAlert(actor, params.id));
