/** Servers: the event types this feature publishes (lib/registry.ts lists them all). */
export const serverEvents = [
  'server.created',
  'server.updated',
  'server.deleted',
  'server.shares',
  'server.host_key_mismatch',
] as const;
