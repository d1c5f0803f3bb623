/** Alerting: the event types this feature publishes (lib/registry.ts lists them all). */
export const alertEvents = [
  'alert.fired',
  'alert.resolved',
] as const;
