import type { Operation } from '../operation';
import { monitoringOps } from '../monitoring/operations';
import { systemOps } from '../system/health';
import { userOps } from '../users/operations';
import { tokenOps } from '../tokens/operations';
import { auditOps } from '../audit/operations';
import { taskOps } from '../tasks/operations';
import { eventOps } from '../events/operations';
import { settingsOps } from '../settings/operations';
import { serverOps } from '../servers/operations';
import { certificateOps } from '../certs/operations';
import { proxyOps } from '../proxy/operations';
import { streamOps } from '../proxy/stream-operations';
import { logOps } from '../proxy/log-operations';
import { alertOps } from '../alerts/operations';
import { bulkOps } from '../bulk/operations';

/** Every REST operation, by feature. A feature adds its operations object here. */
export const allOperations: Record<string, Record<string, Operation>> = {
  system: systemOps,
  users: userOps,
  tokens: tokenOps,
  audit: auditOps,
  tasks: taskOps,
  events: eventOps,
  settings: settingsOps,
  monitoring: monitoringOps,
  servers: serverOps,
  certificates: certificateOps,
  proxy: proxyOps,
  streams: streamOps,
  logs: logOps,
  alerts: alertOps,
  bulk: bulkOps,
};
