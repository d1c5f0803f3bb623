import { NextResponse, type NextRequest } from 'next/server';
import { oidcConfig } from '../config';
import { foreignOriginRefusal, servedOverHttps } from './origin';

/**
 * What proxy.ts runs for every request: refuse cross-site writes (origin.ts), give each page a
 * Content-Security-Policy with a fresh script nonce, and set the other browser-security headers.
 *
 * Next.js reads the nonce from the request's Content-Security-Policy header and puts it on its own
 * scripts (the framework, page chunks, the inline RSC payload); the root layout reads `x-nonce`
 * for the theme boot script. A nonce only works on a page rendered per request, which every page
 * is (the root layout reads the request headers).
 */

/** 128 random bits, base64: a CSP nonce. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/**
 * The policy for HTML pages. Scripts: only those carrying this response's nonce, and what they
 * load ('strict-dynamic'); no 'unsafe-inline'. Style sheets: our own files and nonce'd <style>
 * elements (Next puts the nonce on its own); inline style attributes are allowed
 * (`style-src-attr`), which React's progress bars and meters render; uPlot styles through the
 * CSSOM, which CSP does not govern. Under `next dev`, 'unsafe-eval' (React's error stacks) and
 * inline styles (the dev overlay) are allowed, as Next's CSP guide shows.
 */
export function pageContentSecurityPolicy(nonce: string, opts: { https: boolean; dev?: boolean; signInProvider?: string | null }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    opts.dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    // A sign-in form's POST is redirected to the OpenID provider, and Chromium checks form-action on redirects.
    `form-action 'self'${opts.signInProvider ? ` ${opts.signInProvider}` : ''}`,
    "frame-ancestors 'none'",
    ...(opts.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** JSON and event streams are never documents: nothing may load from them, nor frame them. */
const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

function setCommonHeaders(headers: Headers, https: boolean): void {
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  headers.set('X-Frame-Options', 'DENY');
  if (https) headers.set('Strict-Transport-Security', 'max-age=31536000');
}

/** The OpenID provider's origin (OIDC_ISSUER), or null. */
function signInProvider(): string | null {
  try {
    const oidc = oidcConfig();
    return oidc ? new URL(oidc.issuer).origin : null;
  } catch {
    return null;
  }
}

// Not documents: API answers, Prometheus text, built assets (/_next/static, /_next/image).
const isNotAPage = (pathname: string) => pathname.startsWith('/api/') || pathname === '/metrics' || pathname.startsWith('/_next/');

/** The proxy body: a refusal, or the request passed on with the security headers on its answer. */
export function browserGuard(request: NextRequest): Response {
  const https = servedOverHttps(request);
  const refusal = foreignOriginRefusal(request);
  if (refusal) {
    setCommonHeaders(refusal.headers, https);
    refusal.headers.set('Content-Security-Policy', API_CONTENT_SECURITY_POLICY);
    return refusal;
  }
  if (isNotAPage(request.nextUrl.pathname)) {
    const response = NextResponse.next();
    setCommonHeaders(response.headers, https);
    if (request.nextUrl.pathname.startsWith('/api/v1/') || request.nextUrl.pathname === '/metrics') {
      response.headers.set('Content-Security-Policy', API_CONTENT_SECURITY_POLICY);
    }
    return response;
  }
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy(nonce, { https, dev: process.env.NODE_ENV === 'development', signInProvider: signInProvider() });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  setCommonHeaders(response.headers, https);
  return response;
}
