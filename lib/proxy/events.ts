/** The proxy: the event types this feature publishes (lib/registry.ts lists them all). */
export const proxyEvents = [
  'domain.updated',
  'upstream.updated',
  'template.updated',
  'access_list.updated',
  'stream.updated',
] as const;
