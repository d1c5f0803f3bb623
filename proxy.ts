import type { NextRequest } from 'next/server';
import { browserGuard } from '@/lib/http/browser-guard';

/**
 * Runs before every request: cross-site writes refused with 403 `forbidden_origin`, a per-request
 * CSP nonce for pages and the security headers (lib/http/browser-guard.ts). No matcher on
 * purpose: a server action can be posted to any path, so none is left out (built assets under
 * /_next/ only get the plain headers, which costs next to nothing).
 */
export function proxy(request: NextRequest) {
  return browserGuard(request);
}
