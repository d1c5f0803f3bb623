import { registerJob } from '@/lib/scheduler';
import { runDriftChecks } from './drift';

/** Background jobs of the proxy feature. */
export function registerProxyJobs(): void {
  // Hash comparison only (one SSH command per server), so every 10 minutes is cheap.
  registerJob({ name: 'proxy.drift-check', pattern: '0 */10 * * * *', run: runDriftChecks });
}
