/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only modules stay out of the server bundle.
  serverExternalPackages: ['ssh2', 'better-sqlite3', 'cpu-features', 'node-telegram-bot-api', 'acme-client', 'prom-client'],
  poweredByHeader: false,
  // forbidden() from next/navigation: an admin-only page answers a user with HTTP 403 and
  // app/(console)/forbidden.tsx instead of throwing to the error boundary.
  experimental: { authInterrupts: true },
  typedRoutes: false,
  // Typecheck and lint run as their own CI steps.
  typescript: { ignoreBuildErrors: true },
  // Browsers ask for /favicon.ico where a page names no icon (a 403 or 404 page): the app icon.
  async rewrites() {
    return [{ source: '/favicon.ico', destination: '/icon.svg' }];
  },
  outputFileTracingExcludes: { '*': ['./data/**', './tests/**'] },
};

export default nextConfig;
