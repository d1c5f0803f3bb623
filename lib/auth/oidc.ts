/**
 * Single sign-on through an OpenID provider: who gets in and as what, decided at every sign-in
 * (CONTRACT.md "Second wave" → "Identity"). next-auth runs the protocol (lib/auth/next-auth.ts:
 * authorization code with PKCE, state and nonce); this file takes the provider's claims (ID token
 * merged with userinfo) and answers the Gatehouse account for the session, or a refusal.
 *
 * - groups: the claim OIDC_GROUPS_CLAIM, an array of strings or one string;
 * - in an admin group: admin; else in a user group: user; else refused (`not_in_group`);
 * - both group variables unset: only existing accounts get in, role unchanged, none created;
 * - the account is found by `sub`, and on its first sign-in by e-mail when `email_verified`
 *   (an existing password account is then linked); a deactivated account is refused.
 * Every outcome is audited: `auth.sign_in` (method `oidc`), `auth.sign_in_refused` with a reason,
 * `user.role` when the groups change a role.
 */
import { atomically } from '../db';
import type { Actor } from '../access/actor';
import { oidcConfig, type OidcConfig } from '../config';
import { recordAudit } from '../audit';
import { recordSignIn } from '../users/service';
import { createOidcUser, findOidcAccount, linkOidcSubject, setRoleFromProvider } from '../users/oidc';

export type OidcRefusalReason = 'not_in_group' | 'deactivated' | 'unknown_account' | 'provider_error';

/** A refused single sign-on; `reason` is what /login says (lib/auth/sign-in-messages.ts). */
export class OidcRefusal extends Error {
  constructor(readonly reason: OidcRefusalReason) {
    super(`single sign-on refused: ${reason}`);
    this.name = 'OidcRefusal';
  }
}

/** The groups named by the claim: an array of strings, or one string (anything else: none). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string').map((g) => g.trim()).filter(Boolean);
  return [];
}

/** admin, user, null (refused), or `unchanged` when no group rules are set (existing accounts only). */
export function roleFromGroups(groups: string[], cfg: Pick<OidcConfig, 'adminGroups' | 'userGroups'>): 'admin' | 'user' | 'unchanged' | null {
  if (cfg.adminGroups.length === 0 && cfg.userGroups.length === 0) return 'unchanged';
  if (groups.some((g) => cfg.adminGroups.includes(g))) return 'admin';
  if (groups.some((g) => cfg.userGroups.includes(g))) return 'user';
  return null;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

function signInActor(user: { id: string; email: string; name: string; role: 'admin' | 'user' } | null, email: string | null, address: string | null): Actor {
  return { id: user?.id ?? 'anonymous', email: user?.email ?? (email ?? 'unknown').slice(0, 254), name: user?.name ?? '', role: user?.role ?? 'user', via: 'session', address };
}

/** Audits a refusal the protocol itself produced (provider down, forged state or nonce...). */
export async function recordProviderError(address: string | null): Promise<void> {
  await recordAudit(signInActor(null, null, address), 'auth.sign_in_refused', { type: 'user', id: null }, { method: 'oidc', reason: 'provider_error' });
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  sessionVersion: number;
}

/** The provider's claims → the account for the session; throws OidcRefusal (audited). */
export async function oidcSignIn(claims: Record<string, unknown>, address: string | null, cfg: OidcConfig | null = oidcConfig()): Promise<SessionUser> {
  const sub = str(claims.sub);
  const email = str(claims.email)?.toLowerCase() ?? null;
  const refuse = async (reason: OidcRefusalReason, user: Parameters<typeof signInActor>[0] = null): Promise<never> => {
    await recordAudit(signInActor(user, email, address), 'auth.sign_in_refused', { type: 'user', id: user?.id ?? null }, { method: 'oidc', reason });
    throw new OidcRefusal(reason);
  };
  if (!cfg || !sub) return refuse('provider_error');
  const role = roleFromGroups(groupsOf(claims, cfg.groupsClaim), cfg);
  const verified = claims.email_verified === true || claims.email_verified === 'true';

  const outcome = await atomically(async () => {
    const found = await findOidcAccount(sub, email, verified);
    const user = found.user;
    if (user && !user.active) return { refused: 'deactivated' as const, user };
    if (role === null) return { refused: 'not_in_group' as const, user };
    if (!user) {
      // Nobody to create: no group rules (existing accounts only), no address, or an address that cannot be linked.
      if (role === 'unchanged' || !email || found.conflict) return { refused: 'unknown_account' as const, user: null };
      const name = str(claims.name) ?? str(claims.preferred_username) ?? '';
      const created = await createOidcUser(signInActor(null, email, address), { email, name: name.slice(0, 100), role, sub });
      return { user: created };
    }
    const actor = signInActor(user, email, address);
    if (found.link) await linkOidcSubject(actor, user, sub);
    if (role !== 'unchanged') await setRoleFromProvider(actor, user, role);
    return { user: role === 'unchanged' ? user : { ...user, role } };
  });
  if ('refused' in outcome && outcome.refused) return refuse(outcome.refused, outcome.user);
  const user = outcome.user!;
  await recordSignIn(user.id);
  await recordAudit(signInActor(user, email, address), 'auth.sign_in', { type: 'user', id: user.id }, { method: 'oidc' });
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}
