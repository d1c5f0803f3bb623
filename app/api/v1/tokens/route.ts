import { handle } from '@/lib/http/handler';
import { tokenOps } from '@/lib/tokens/operations';
import { createToken, listTokens } from '@/lib/tokens/service';

export const GET = handle(tokenOps.list, ({ actor, query }) => listTokens(actor, query));
export const POST = handle(tokenOps.create, ({ actor, body }) => createToken(actor, body));
