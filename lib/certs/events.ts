/** Certificates: the event types this feature publishes (lib/registry.ts lists them all). */
export const certificateEvents = [
  'certificate.updated',
  'certificate.deleted',
  'certificate.renewal_failed',
] as const;
