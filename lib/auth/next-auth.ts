import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { config } from '../config';
import { AppError } from '../errors';
import { verifyCredentials } from './authenticate';
import { addressOf } from './address';

/** Sign-in failures carry a code the login form turns into a message (never the cause's text). */
class SignInError extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/**
 * next-auth v5, credentials only, JWT sessions in an HTTP-only cookie. The token carries the
 * user id, role and session version; lib/auth/session.ts checks the version against the database
 * on every request, so a deactivation or password change ends the session at once.
 * The config is built lazily so AUTH_SECRET is read at run time, not at build time.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: config().AUTH_SECRET,
  trustHost: true,
  // A wrong password is an expected outcome, not a server error: keep it out of the logs.
  logger: {
    error(error: Error) {
      if (error.name === 'CredentialsSignin' || (error as { type?: string }).type === 'CredentialsSignin') return;
      console.error('[auth]', error.name, error.message);
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
  ],
  callbacks: {
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
}));
