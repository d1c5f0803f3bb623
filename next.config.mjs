/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only modules stay out of the server bundle.
  serverExternalPackages: ['ssh2', 'better-sqlite3', 'cpu-features', 'node-telegram-bot-api', 'acme-client'],
  poweredByHeader: false,
  // forbidden() from next/navigation: an admin-only page answers a user with HTTP 403 and
  // app/(console)/forbidden.tsx instead of throwing to the error boundary.
  experimental: { authInterrupts: true },
  typedRoutes: false,
  // Typecheck and lint run as their own CI steps.
  typescript: { ignoreBuildErrors: true },
  outputFileTracingExcludes: { '*': ['./data/**', './tests/**'] },
};

export default nextConfig;
