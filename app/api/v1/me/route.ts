import { handle } from '@/lib/http/handler';
import { userOps } from '@/lib/users/operations';

export const GET = handle(userOps.me, async ({ actor }) => ({ id: actor.id, email: actor.email, name: actor.name, role: actor.role }));
