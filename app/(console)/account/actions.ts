'use server';

import { z } from 'zod';
import { signOut } from '@/lib/auth/next-auth';
import { formAction } from '@/lib/http/action';
import { changeOwnPassword } from '@/lib/users/service';
import { changeOwnPasswordInput } from '@/lib/users/schemas';
import { createToken, revokeToken } from '@/lib/tokens/service';
import { tokenCreateInput } from '@/lib/tokens/schemas';

export const changePasswordAction = formAction(changeOwnPasswordInput, async (data, actor) => {
  await changeOwnPassword(actor, data);
  // lib ended every session of this user (session version bumped): clear the cookie and say so.
  await signOut({ redirectTo: '/login?notice=password-changed' });
});

export const createTokenAction = formAction(
  tokenCreateInput,
  async (data, actor) => {
    const created = await createToken(actor, data);
    return { message: `Created token “${created.name}”.`, data: { name: created.name, token: created.token } };
  },
  { revalidate: '/account' },
);

export const revokeTokenAction = formAction(
  z.object({ id: z.string().min(1) }),
  async ({ id }, actor) => {
    await revokeToken(actor, id);
    return 'Token revoked.';
  },
  { revalidate: '/account' },
);
