import { handle } from '@/lib/http/handler';
import { serverOps } from '@/lib/servers/operations';
import { startGlancesInstall } from '@/lib/servers/tasks';

export const POST = handle(serverOps.installGlances, ({ actor, params, body }) => startGlancesInstall(actor, params.id, body));
