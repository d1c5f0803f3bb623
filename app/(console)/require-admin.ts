import { forbidden } from 'next/navigation';
import { requireAdminActor } from '@/lib/auth/session';
import { ForbiddenError } from '@/lib/errors';

/**
 * Admin pages call this first: requireAdminActor, and a signed-in user gets the console's 403
 * page (forbidden.tsx, HTTP 403) instead of an error: nothing is thrown to error.tsx, nothing is
 * logged. The nav already hides these pages from users; this is the check that counts.
 */
export async function requireAdminPage() {
  try {
    return await requireAdminActor();
  } catch (err) {
    if (err instanceof ForbiddenError) forbidden();
    throw err;
  }
}
