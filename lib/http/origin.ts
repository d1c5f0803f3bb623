import { config } from '../config';
import { errorResponse } from './errors';

/**
 * Cross-site request refusal, the one place the rule lives (proxy.ts applies it to every request:
 * pages, server actions, /api/auth and /api/v1).
 *
 * A state-changing request (any method but GET, HEAD, OPTIONS) that carries a cookie of the
 * console's sign-in (next-auth's `authjs.*` cookies: session, CSRF, callback URL) and an `Origin`
 * header naming another site is refused with 403 `forbidden_origin`. SameSite=Lax already keeps
 * the cookie off cross-site POSTs; this also covers same-site neighbours (another host under the
 * same registrable domain) and old browsers. `Origin: null` (sandboxed frames, cross-site
 * redirects) counts as foreign. Unchanged: requests without an `Origin` (curl, the CLI), requests
 * from the console's own origin, and bearer-token requests (a browser cannot send an
 * `Authorization` header cross-site without a CORS preflight, which Gatehouse never grants).
 *
 * The console's own origin is AUTH_URL's origin (scheme, host and port) when AUTH_URL is set;
 * otherwise the request's host (`X-Forwarded-Host`, else `Host`) must equal the Origin's host.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN_COOKIE = /^(__Secure-|__Host-)?authjs\./;

function configuredUrl(): URL | null {
  const value = config().AUTH_URL;
  if (!value) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const firstValue = (header: string | null) => header?.split(',')[0].trim() || null;

/** Whether the request carries one of next-auth's cookies. */
export function carriesSignInCookie(cookieHeader: string | null): boolean {
  if (!cookieHeader) return false;
  return cookieHeader.split(';').some((part) => SIGN_IN_COOKIE.test(part.trim().split('=')[0]));
}

/** Whether `origin` (an Origin header's value) is the console's own origin for this request. */
export function isOwnOrigin(origin: string, headers: Headers): boolean {
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false; // "null" or garbage
  }
  const configured = configuredUrl();
  if (configured) return from.origin === configured.origin;
  const host = firstValue(headers.get('x-forwarded-host')) ?? headers.get('host');
  return host !== null && from.host === host.toLowerCase();
}

/** The 403 `forbidden_origin` answer for a cross-site state-changing request with a sign-in cookie, else null. */
export function foreignOriginRefusal(request: Request): Response | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const { headers } = request;
  if (/^Bearer\s/i.test(headers.get('authorization') ?? '')) return null;
  if (!carriesSignInCookie(headers.get('cookie'))) return null;
  const origin = headers.get('origin');
  if (origin === null || isOwnOrigin(origin, headers)) return null;
  return errorResponse(403, 'forbidden_origin', 'This request came from another site and was refused. Use the console at its own address.');
}

/**
 * Whether the console is served over HTTPS: AUTH_URL is https, or the reverse proxy in front says
 * so (`X-Forwarded-Proto: https`), or the request itself came over TLS. Decides HSTS and
 * `upgrade-insecure-requests`; a forged `X-Forwarded-Proto` on a plain-HTTP request only earns
 * its sender a header that browsers ignore over HTTP.
 */
export function servedOverHttps(request: Request): boolean {
  if (configuredUrl()?.protocol === 'https:') return true;
  if (firstValue(request.headers.get('x-forwarded-proto'))?.toLowerCase() === 'https') return true;
  return new URL(request.url).protocol === 'https:';
}
