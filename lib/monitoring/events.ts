/** Monitoring (`domain.updated` when a name-server check changes): the event types this feature publishes (lib/registry.ts lists them all). */
export const monitoringEvents = [
  'metrics',
  'server.status',
  'upstream.target',
  'domain.updated',
] as const;
