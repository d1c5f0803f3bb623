import { AppError } from '../errors';
import { toErrorResponse } from './errors';
import { addressOf } from '../auth/address';
import { assertSignInAllowed } from '../auth/rate-limit';

/** For POST /api/auth/callback/credentials: a 429 response when this account or address is over its limit. */
export async function rateLimitedSignIn(request: Request): Promise<Response | null> {
  if (!new URL(request.url).pathname.endsWith('/callback/credentials')) return null;
  const form = await request.clone().formData().catch(() => null);
  const email = String(form?.get('email') ?? '').trim().toLowerCase();
  try {
    await assertSignInAllowed(email, addressOf(request.headers));
    return null;
  } catch (err) {
    if (err instanceof AppError) return toErrorResponse(err);
    throw err;
  }
}
