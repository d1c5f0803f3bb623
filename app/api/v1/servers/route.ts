import { handle } from '@/lib/http/handler';
import { serverOps } from '@/lib/servers/operations';
import { listServers } from '@/lib/servers/store';
import { createServer } from '@/lib/servers/service';

export const GET = handle(serverOps.list, ({ actor, query }) => listServers(actor, query));
export const POST = handle(serverOps.create, ({ actor, body }) => createServer(actor, body));
