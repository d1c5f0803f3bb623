import { handle } from '@/lib/http/handler';
import { alertOps } from '@/lib/alerts/operations';
import { deleteSilence } from '@/lib/alerts/silences';

export const DELETE = handle(alertOps.removeSilence, ({ actor, params }) => deleteSilence(actor, params.id));
