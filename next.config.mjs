/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only modules stay out of the server bundle.
  serverExternalPackages: ['ssh2', 'better-sqlite3', 'cpu-features', 'node-telegram-bot-api', 'acme-client', 'prom-client'],
  poweredByHeader: false,
  typedRoutes: false,
  // Typecheck and lint run as their own CI steps.
  typescript: { ignoreBuildErrors: true },
  outputFileTracingExcludes: { '*': ['./data/**', './tests/**'] },
};

export default nextConfig;
