'use client';

import { useEffect, useRef } from 'react';

type Listener = (type: string, data: Record<string, unknown>) => void;

/**
 * One EventSource per page for the certificate screens, shared by every component that listens;
 * the browser reconnects by itself (sending Last-Event-ID), so nothing is missed across a drop.
 */
const shared: { source: EventSource | null; types: Set<string>; listeners: Set<{ types: Set<string>; fn: Listener }> } = {
  source: null,
  types: new Set(),
  listeners: new Set(),
};

function connect() {
  shared.source?.close();
  const url = `/api/v1/events?types=${encodeURIComponent([...shared.types].sort().join(','))}`;
  const source = new EventSource(url);
  for (const type of shared.types) {
    source.addEventListener(type, (e) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse((e as MessageEvent<string>).data);
      } catch {
        return;
      }
      for (const l of shared.listeners) if (l.types.has(type)) l.fn(type, data);
    });
  }
  shared.source = source;
}

/** Calls `onEvent` for each live event of the given types (certificate.updated, task.log, …). */
export function useLiveEvents(types: string[], onEvent: Listener): void {
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    const entry = { types: wanted, fn: (t: string, d: Record<string, unknown>) => latest.current(t, d) };
    shared.listeners.add(entry);
    const missing = [...wanted].some((t) => !shared.types.has(t));
    for (const t of wanted) shared.types.add(t);
    if (missing || !shared.source) connect();
    return () => {
      shared.listeners.delete(entry);
      if (shared.listeners.size === 0) {
        shared.source?.close();
        shared.source = null;
        shared.types.clear();
      }
    };
  }, [key]);
}

/** fetch for SWR: JSON or an error carrying the API's message. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `Request failed (${res.status}).`);
  return body as T;
}
