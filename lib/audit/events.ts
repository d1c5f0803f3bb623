/** The audit log: the event types this feature publishes (lib/registry.ts lists them all). */
export const auditEvents = [
  'audit',
] as const;
