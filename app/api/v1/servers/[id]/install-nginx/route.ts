import { handle } from '@/lib/http/handler';
import { serverOps } from '@/lib/servers/operations';
import { startNginxInstall } from '@/lib/servers/tasks';

export const POST = handle(serverOps.installNginx, ({ actor, params }) => startNginxInstall(actor, params.id));
