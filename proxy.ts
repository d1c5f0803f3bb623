import type { NextRequest } from 'next/server';
import { browserGuard } from '@/lib/http/browser-guard';

/**
 * Runs before every request except built static assets: cross-site writes refused with 403
 * `forbidden_origin`, a per-request CSP nonce and the security headers (lib/http/browser-guard.ts).
 */
export function proxy(request: NextRequest) {
  return browserGuard(request);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
