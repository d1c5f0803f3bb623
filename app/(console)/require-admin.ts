import { requireAdminActor } from '@/lib/auth/session';
import { ForbiddenError } from '@/lib/errors';
import { FORBIDDEN_DIGEST } from '@/components/console/forbidden';

/**
 * Admin pages call this first: requireAdminActor, with the 403 marked so error.tsx can show
 * "Only an admin can see this page" (the nav already hides these pages from users; this is
 * the check that counts).
 */
export async function requireAdminPage() {
  try {
    return await requireAdminActor();
  } catch (err) {
    if (err instanceof ForbiddenError) Object.assign(err, { digest: FORBIDDEN_DIGEST });
    throw err;
  }
}
