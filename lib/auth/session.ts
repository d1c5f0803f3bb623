import { headers } from 'next/headers';
import { getToken } from 'next-auth/jwt';
import { config } from '../config';
import { redirect } from 'next/navigation';
import { auth } from './next-auth';
import { actorFromBearer, actorFromSession } from './authenticate';
import { addressOf } from './address';
import type { Actor } from '../access/actor';
import { ForbiddenError } from '../errors';

/** The signed-in actor for pages and server actions, or null. */
export async function currentActor(): Promise<Actor | null> {
  const session = (await auth()) as { uid?: string; sv?: number } | null;
  return actorFromSession(session, addressOf(await headers()));
}

/** Where a session is sent while settings.security.require2fa asks it to set up two-factor first. */
export const TWO_FACTOR_SETUP_PATH = '/two-factor';

/**
 * Pages and actions: the actor, or a redirect to sign-in (a stale session counts as none). A
 * session that must set up two-factor sign-in first is sent to the set-up page, unless the
 * caller is that page or its actions (`enrolling`).
 */
export async function requireActor(options: { enrolling?: boolean } = {}): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect('/login');
  if (actor.mustEnrolTwoFactor && !options.enrolling) redirect(TWO_FACTOR_SETUP_PATH);
  return actor;
}

/** Admin pages: checked in the layout and again here, in the page or action itself. */
export async function requireAdminActor(): Promise<Actor> {
  const actor = await requireActor();
  if (actor.role !== 'admin') throw new ForbiddenError('Only an admin can see this page.');
  return actor;
}

/** API: a bearer token, else the session cookie. */
export async function actorFromRequest(request: Request): Promise<Actor | null> {
  const address = addressOf(request.headers);
  const authz = request.headers.get('authorization');
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    return m ? actorFromBearer(m[1], address) : null;
  }
  return actorFromSession(await sessionClaims(request), address);
}

/**
 * Reads the session JWT straight from the request's cookie (no request-scope APIs), trying the
 * plain and the `__Secure-` cookie name, since the latter is used when served over HTTPS.
 */
async function sessionClaims(request: Request) {
  const cookie = request.headers.get('cookie');
  if (!cookie || !cookie.includes('authjs.session-token')) return null;
  const secret = config().AUTH_SECRET;
  for (const secureCookie of [false, true]) {
    const token = await getToken({ req: request, secret, secureCookie }).catch(() => null);
    if (token) return token as { uid?: unknown; sv?: unknown };
  }
  return null;
}
