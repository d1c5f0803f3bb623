import { handle } from '@/lib/http/handler';
import { tokenOps } from '@/lib/tokens/operations';
import { revokeToken } from '@/lib/tokens/service';

export const DELETE = handle(tokenOps.revoke, ({ actor, params }) => revokeToken(actor, params.id));
