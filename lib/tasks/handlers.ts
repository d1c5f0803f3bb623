import { registerServerTaskHandlers } from '../servers/tasks';
import { registerCertificateTaskHandlers } from '../certs/issue-task';
import { registerProxyTaskHandlers } from '../proxy/deploy';

/**
 * Every task kind's handler, by feature. A feature adds its registration call here.
 */
export function registerAllTaskHandlers(): void {
  registerServerTaskHandlers();
  registerCertificateTaskHandlers();
  registerProxyTaskHandlers();
}
