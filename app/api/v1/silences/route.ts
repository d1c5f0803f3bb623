import { handle } from '@/lib/http/handler';
import { alertOps } from '@/lib/alerts/operations';
import { createSilence, listSilences } from '@/lib/alerts/silences';

export const GET = handle(alertOps.listSilences, ({ actor, query }) => listSilences(actor, query));
export const POST = handle(alertOps.createSilence, ({ actor, body }) => createSilence(actor, body));
