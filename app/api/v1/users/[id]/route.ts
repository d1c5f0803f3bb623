import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { deleteUser, getUser, updateUser } from '@/lib/users/service';

export const GET = handle(userOps.get, ({ actor, params }) => getUser(actor, params.id));
export const PATCH = handle(userOps.update, ({ actor, params, body }) => updateUser(actor, params.id, body));
export const DELETE = handle(userOps.remove, ({ actor, params }) => deleteUser(actor, params.id));
