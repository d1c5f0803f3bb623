'use server';

import { z } from 'zod';
import { signOut } from '@/lib/auth/next-auth';
import { formAction } from '@/lib/http/action';
import { createUser, deleteUser, getUser, updateUser } from '@/lib/users/service';
import { userCreateInput, userPatchInput } from '@/lib/users/schemas';
import { resetTwoFactor } from '@/lib/users/two-factor';

const byId = z.object({ id: z.string().min(1) });
const options = { admin: true, revalidate: '/users' };

export const createUserAction = formAction(
  userCreateInput,
  async (data, actor) => {
    const user = await createUser(actor, data);
    return `Created ${user.email}.`;
  },
  options,
);

export const updateUserAction = formAction(
  userPatchInput.extend(byId.shape),
  async ({ id, ...patch }, actor) => {
    const user = await updateUser(actor, id, patch);
    // A new password, a role change or a deactivation ends the user's sessions — our own included.
    if (id === actor.id && (patch.password || (patch.role && patch.role !== actor.role) || patch.active === false)) {
      await signOut({ redirectTo: '/login?notice=session-ended' });
    }
    const keys = Object.keys(patch);
    if (keys.length === 1 && keys[0] === 'active') return `${user.active ? 'Activated' : 'Deactivated'} ${user.email}.`;
    return `Saved ${user.email}.`;
  },
  options,
);

export const deleteUserAction = formAction(
  byId,
  async ({ id }, actor) => {
    const user = await getUser(actor, id);
    await deleteUser(actor, id);
    return `Deleted ${user.email}.`;
  },
  options,
);

export const resetTwoFactorAction = formAction(
  byId,
  async ({ id }, actor) => {
    const user = await getUser(actor, id);
    await resetTwoFactor(actor, id);
    return `Two-factor sign-in reset for ${user.email}.`;
  },
  options,
);
