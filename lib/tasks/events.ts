/** The task queue: the event types this feature publishes (lib/registry.ts lists them all). */
export const taskEvents = [
  'task.updated',
  'task.log',
] as const;
