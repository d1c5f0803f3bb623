'use client';

import { useEvents } from '@/components/realtime/use-events';

/**
 * Live events for the certificate screens through the console's one shared event stream
 * (components/realtime/use-events.ts). `onReconnect` runs after an outage, to refetch what may
 * have been missed.
 */
export function useLiveEvents(types: string[], onEvent: (type: string, data: Record<string, unknown>) => void, onReconnect?: () => void): void {
  useEvents(types, (data, type) => onEvent(type, data), onReconnect);
}

/** fetch for SWR: JSON, or an error carrying the API's message. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `Request failed (${res.status}).`);
  return body as T;
}
