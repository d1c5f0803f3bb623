import { handle } from '@/lib/http/handler';
import { serverOps } from '@/lib/servers/operations';
import { startConnectionTest } from '@/lib/servers/tasks';

export const POST = handle(serverOps.test, ({ actor, params }) => startConnectionTest(actor, params.id));
