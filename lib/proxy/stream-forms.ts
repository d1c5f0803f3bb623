/** The console's stream form: text fields in, the service's input out (rules stay in streams.ts). */
import { z } from 'zod';

const text = z.string().optional();
export const streamForm = z.object({ serverId: text, protocol: text, listenPort: text, upstreamId: text });
export type StreamForm = z.input<typeof streamForm>;

export function streamInputFromForm(f: StreamForm): Record<string, unknown> {
  const port = f.listenPort?.trim() ?? '';
  return {
    serverId: f.serverId || undefined,
    protocol: f.protocol || undefined,
    // A typo keeps its text, so the service's own message ("Port must be a whole number…") shows.
    listenPort: /^\d{1,9}$/.test(port) ? Number(port) : port === '' ? undefined : port,
    upstreamId: f.upstreamId || undefined,
  };
}
