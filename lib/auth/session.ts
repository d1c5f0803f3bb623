import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from './next-auth';
import { actorFromBearer, actorFromSession } from './authenticate';
import { addressOf } from './address';
import type { Actor } from './actor';
import { ForbiddenError } from '../errors';

/** The signed-in actor for pages and server actions, or null. */
export async function currentActor(): Promise<Actor | null> {
  const session = (await auth()) as { uid?: string; sv?: number } | null;
  return actorFromSession(session, addressOf(await headers()));
}

/** Pages and actions: the actor, or a redirect to sign-in (a stale session counts as none). */
export async function requireActor(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect('/login');
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
  const session = (await auth()) as { uid?: string; sv?: number } | null;
  return actorFromSession(session, address);
}
