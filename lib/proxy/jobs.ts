import { runDriftChecks } from './drift';

/** Background jobs of the proxy feature. */
export const proxyJobs = [
  // Hash comparison only (one SSH command per server), so every 10 minutes is cheap.
  { name: 'proxy.drift-check', pattern: '0 */10 * * * *', run: () => runDriftChecks() },
];
