/**
 * A REAL OpenID provider on loopback for the single sign-on tests: panva's `oidc-provider` (the
 * certified Node.js implementation), with its development login and consent pages (any login
 * name, any password; the login name is the account id), one confidential client for Gatehouse,
 * PKCE required, and users whose groups a test can change between sign-ins.
 *
 * The package is loaded at run time (`oidcProviderInstalled()` tells whether it is there), so the
 * rest of the suite type-checks and runs without it. Claims: `sub`; `email`, `email_verified`
 * under the `email` scope; `name` and `groups` under `profile` (Gatehouse asks for
 * `openid email profile`), released through userinfo and the ID token.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

export interface OidcTestUser {
  /** What to type in the provider's login page; also the `sub`. */
  login: string;
  email: string;
  emailVerified?: boolean;
  name?: string;
  groups: string[];
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port: number;
  /** Changes a user's groups: the next sign-in sees them. */
  setGroups(login: string, groups: string[]): void;
  /** Stops answering (connection refused): "the provider is down". */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

const PACKAGE = 'oidc-provider';

/** Whether the `oidc-provider` package is installed (the lead adds it: `npm install -D oidc-provider`). */
export function oidcProviderInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve(PACKAGE);
    return true;
  } catch {
    return false;
  }
}

interface ProviderLike {
  callback(): http.RequestListener;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderLike;

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the provider. `redirectUri` is Gatehouse's `<AUTH_URL>/api/auth/callback/oidc`; the port
 * is chosen first so the issuer (which must match discovery exactly) is known before it starts.
 */
export async function startOidcProvider(opts: { redirectUri: string; users: OidcTestUser[]; clientId?: string; clientSecret?: string }): Promise<OidcTestProvider> {
  // A non-literal specifier: type-checking does not need the package, only running does.
  const name: string = PACKAGE;
  const mod = (await import(/* @vite-ignore */ name)) as { default: ProviderClass };
  const Provider = mod.default;
  const users = new Map(opts.users.map((u) => [u.login, { ...u }]));
  const clientId = opts.clientId ?? 'gatehouse-test';
  const clientSecret = opts.clientSecret ?? 'gatehouse-test-client-secret-0123456789';

  // Pick a port, then build the provider for that issuer.
  const probe = http.createServer();
  const port = await listen(probe, 0);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // The development login page passes the typed login name as the account id.
    async findAccount(_ctx: unknown, id: string) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          const u = users.get(id)!;
          return { sub: id, email: u.email, email_verified: u.emailVerified ?? true, name: u.name ?? id, groups: [...u.groups] };
        },
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    // Release the scope's claims in the ID token too (not only through userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['gatehouse-test-oidc-cookie-key-0123456789'] },
  });

  // Why a grant was refused, for the test's own failure output (never a secret: the params only).
  provider.on('grant.error', (ctx, err) => {
    const params = (ctx as { oidc?: { params?: Record<string, unknown> } }).oidc?.params ?? {};
    console.error('[oidc-provider] grant refused:', (err as Error).message, (err as { error_detail?: string }).error_detail ?? '', 'redirect_uri', params.redirect_uri);
  });
  let server = http.createServer(provider.callback());
  await listen(server, port);
  return {
    issuer,
    clientId,
    clientSecret,
    port,
    setGroups(login, groups) {
      const u = users.get(login);
      if (!u) throw new Error(`no test user ${login}`);
      u.groups = [...groups];
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restart() {
      server = http.createServer(provider.callback());
      await listen(server, port);
    },
  };
}
