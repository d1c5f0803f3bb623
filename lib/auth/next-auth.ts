import { Auth, setEnvDefaults } from '@auth/core';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import type { OIDCConfig } from 'next-auth/providers';
import { config, oidcConfig, passwordSignInEnabled, type OidcConfig } from '../config';
import { AppError } from '../errors';
import { verifyCredentials } from './authenticate';
import { addressOf } from './address';
import { OidcRefusal, oidcSignIn, recordProviderError } from './oidc';

/** next-auth's id for the OpenID provider: the redirect URI is `<AUTH_URL>/api/auth/callback/oidc`. */
export const OIDC_PROVIDER_ID = 'oidc';

/**
 * next-auth's own OIDC support: discovery from the issuer, authorization code with PKCE (S256),
 * `state` and `nonce` checked, scopes `openid email profile`. `idToken: false` makes next-auth
 * also fetch userinfo (its `sub` checked against the ID token's); the ID token's own claims are
 * merged in at sign-in (lib/auth/oidc.ts reads the groups from either).
 */
function oidcProvider(oidc: OidcConfig): OIDCConfig<Record<string, unknown>> {
  return {
    id: OIDC_PROVIDER_ID,
    name: oidc.name,
    type: 'oidc',
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    checks: ['pkce', 'state', 'nonce'],
    authorization: { params: { scope: 'openid email profile' } },
    idToken: false,
    profile(profile) {
      return { id: String(profile.sub), email: typeof profile.email === 'string' ? profile.email : null, name: typeof profile.name === 'string' ? profile.name : null };
    },
  };
}

/** The payload of an ID token next-auth has already validated (signature, issuer, audience, nonce). */
function idTokenClaims(idToken: unknown): Record<string, unknown> {
  if (typeof idToken !== 'string') return {};
  try {
    return JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

// Errors of the OpenID protocol (provider down, forged state or nonce, a refused code): audited
// as `auth.sign_in_refused` with reason `provider_error`; the person lands on /login with one sentence.
const PROTOCOL_ERRORS = new Set(['OAuthCallbackError', 'OAuthSignInError', 'InvalidCheck', 'CallbackRouteError', 'SignInError', 'OAuthAccountNotLinked', 'AccessDenied']);

/** Sign-in failures carry a code the login form turns into a message (never the cause's text). */
class SignInError extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/**
 * next-auth v5, credentials and (when OIDC_* are set) single sign-on, JWT sessions in an HTTP-only cookie. The token carries the
 * user id, role and session version; lib/auth/session.ts checks the version against the database
 * on every request, so a deactivation or password change ends the session at once.
 * The config is built lazily so AUTH_SECRET is read at run time, not at build time.
 */
function authConfig(request: Request | undefined): NextAuthConfig {
  const oidc = oidcConfig();
  const address = request ? addressOf(request.headers) : null;
  return {
  secret: config().AUTH_SECRET,
  trustHost: true,
  basePath: AUTH_BASE_PATH,
  // A wrong password is an expected outcome, not a server error: keep it out of the logs.
  logger: {
    error(error: Error) {
      const type = (error as { type?: string }).type ?? error.name;
      if (error.name === 'CredentialsSignin' || type === 'CredentialsSignin') return;
      // A refusal we decided (lib/auth/oidc.ts) is audited there already.
      if ((error as { cause?: unknown }).cause instanceof OidcRefusal) return;
      if (oidc && PROTOCOL_ERRORS.has(type)) void recordProviderError(address).catch(() => undefined);
      // The type only: a provider's error text may carry what it was sent.
      console.error('[auth]', type);
    },
  },
  session: { strategy: 'jwt', maxAge: 7 * 24 * 3600 },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    Credentials({
      credentials: {
        email: { label: 'E-mail', type: 'email' },
        password: { label: 'Password', type: 'password' },
        // Two-factor sign-in: a current TOTP code or a recovery code (ignored for accounts without it).
        code: { label: 'Two-factor code', type: 'text' },
      },
      async authorize(credentials, request) {
        const email = typeof credentials?.email === 'string' ? credentials.email : '';
        const password = typeof credentials?.password === 'string' ? credentials.password : '';
        const code = typeof credentials?.code === 'string' ? credentials.code : '';
        // PASSWORD_SIGN_IN=off: single sign-on only; no session from this callback, for anyone.
        if (!passwordSignInEnabled()) throw new SignInError('password_off');
        if (!email || !password) throw new SignInError('invalid');
        try {
          return await verifyCredentials(email, password, addressOf(request.headers), code);
        } catch (err) {
          if (err instanceof AppError && err.status === 429) throw new SignInError('rate_limited');
          if (err instanceof AppError && (err.code === 'code_required' || err.code === 'bad_code')) throw new SignInError(err.code);
          if (err instanceof AppError) throw new SignInError('invalid');
          throw err;
        }
      },
    }),
    ...(oidc ? [oidcProvider(oidc)] : []),
  ],
  callbacks: {
    /**
     * Single sign-on: the provider said who this is; Gatehouse decides whether they get in and as
     * what (lib/auth/oidc.ts). The session then carries the Gatehouse account, like a password one.
     * A refusal goes back to /login with its reason (one plain sentence there).
     */
    async signIn({ user, account, profile }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      try {
        const claims = { ...idTokenClaims(account.id_token), ...(profile ?? {}) };
        const signedIn = await oidcSignIn(claims, address, oidc);
        Object.assign(user, signedIn);
        return true;
      } catch (err) {
        if (err instanceof OidcRefusal) return `/login?error=oidc_${err.reason}`;
        await recordProviderError(address).catch(() => undefined);
        console.error('[auth] single sign-on failed:', err instanceof Error ? err.name : 'error');
        return '/login?error=oidc_provider_error';
      }
    },
    jwt({ token, user }) {
      if (user) {
        const u = user as { id: string; role: string; sessionVersion: number };
        token.uid = u.id;
        token.role = u.role;
        token.sv = u.sessionVersion;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, uid: token.uid, sv: token.sv, role: token.role } as typeof session;
    },
  },
  };
}

/** Where next-auth's routes live (app/api/auth/[...nextauth]/route.ts). */
const AUTH_BASE_PATH = '/api/auth';

export const { auth, signIn, signOut } = NextAuth((request) => authConfig(request));

/**
 * The request as seen at the public address AUTH_URL: its path and query on AUTH_URL's origin
 * (as a plain Request), or the request itself when AUTH_URL is unset.
 *
 * Why not next-auth's own handlers: they move the request onto AUTH_URL as a NextRequest, and a
 * NextRequest's URL turns a loopback host (127.0.0.1, [::1]) into `localhost`. The sign-in step
 * (a server action, next-auth's signIn) builds its URL from AUTH_URL with a plain Request, so the
 * authorization request named `http://127.0.0.1:3000/api/auth/callback/oidc` while the callback
 * step then sent `http://localhost:3000/...` in the token request: the provider refused the code
 * (redirect_uri mismatch), and the redirect after sign-in would have left the cookie's host.
 * Behind a reverse proxy the request arrives at the internal address; AUTH_URL (the public one)
 * names every URL next-auth builds, here as on the sign-in step.
 */
export function atPublicUrl(request: Request, authUrl: string | null = config().AUTH_URL ?? null): Request {
  if (!authUrl) return request;
  const { pathname, search } = new URL(request.url);
  const target = new URL(`${pathname}${search}`, new URL(authUrl).origin);
  return new Request(target, request);
}

async function handle(request: Request): Promise<Response> {
  const cfg = authConfig(request);
  // What next-auth's handlers do before calling Auth (secret, basePath, trustHost, provider env defaults).
  setEnvDefaults(process.env, cfg, true);
  return Auth(atPublicUrl(request), cfg);
}

/** GET and POST for /api/auth/*: next-auth's Auth on the request at AUTH_URL (see atPublicUrl). */
export const handlers = { GET: handle, POST: handle };
