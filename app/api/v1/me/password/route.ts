import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { changeOwnPassword } from '@/lib/users/service';

export const POST = handle(userOps.changePassword, ({ actor, body }) => changeOwnPassword(actor, body));
