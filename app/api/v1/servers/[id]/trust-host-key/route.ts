import { handle } from '@/lib/http/handler';
import { serverOps } from '@/lib/servers/operations';
import { trustHostKey } from '@/lib/servers/service';

export const POST = handle(serverOps.trustHostKey, ({ actor, params, body }) => trustHostKey(actor, params.id, body));
