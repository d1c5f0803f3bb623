import { handle } from '@/lib/http/handler';
import { serverOps } from '@/lib/servers/operations';
import { getServer } from '@/lib/servers/store';
import { deleteServer, updateServer } from '@/lib/servers/service';

export const GET = handle(serverOps.get, ({ actor, params }) => getServer(actor, params.id));
export const PATCH = handle(serverOps.update, ({ actor, params, body }) => updateServer(actor, params.id, body));
export const DELETE = handle(serverOps.remove, ({ actor, params }) => deleteServer(actor, params.id));
