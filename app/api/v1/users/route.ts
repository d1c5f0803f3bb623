import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';
import { createUser, listUsers } from '@/lib/users/service';

export const GET = handle(userOps.list, ({ actor, query }) => listUsers(actor, query));
export const POST = handle(userOps.create, ({ actor, body }) => createUser(actor, body));
