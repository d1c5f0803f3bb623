/** Settings: the event types this feature publishes (lib/registry.ts lists them all). */
export const settingsEvents = [
  'settings.updated',
] as const;
