/** Users: the event types this feature publishes (lib/registry.ts lists them all). */
export const userEvents = [
  'user.2fa',
] as const;
