import { cliActor } from '@/lib/access/actor';
import { createUser } from '@/lib/users/service';
import { createToken } from '@/lib/tokens/service';

let n = 0;

/** An admin and a regular user, each with an API token. */
export async function seedUsers() {
  n++;
  const admin = await createUser(cliActor, { email: `admin${n}@example.test`, password: 'admin-password-1', role: 'admin', name: 'Ada Admin' });
  const user = await createUser(cliActor, { email: `user${n}@example.test`, password: 'user-password-1', role: 'user', name: 'Uma User' });
  const adminToken = (await createToken(cliActor, { name: 'test' }, admin.id)).token;
  const userToken = (await createToken(cliActor, { name: 'test' }, user.id)).token;
  return { admin, user, adminToken, userToken };
}
