'use client';

import { useEffect, useRef } from 'react';

type EventData = Record<string, unknown>;

interface Subscriber {
  types: string[];
  onEvent: (type: string, data: EventData) => void;
  /** Called on every (re)connect: the place to fetch what may have been missed meanwhile. */
  onOpen?: () => void;
}

/**
 * One EventSource per page, shared by every live widget on it (browsers allow only a few
 * connections per host over HTTP/1.1). It asks only for the event types its subscribers want
 * and is reopened when that set changes; each subscriber refetches on open, so nothing is lost
 * across a reopen or a dropped connection (EventSource reconnects on its own).
 */
const subscribers = new Set<Subscriber>();
let source: EventSource | null = null;
let sourceTypes = '';

function sync() {
  const types = [...new Set([...subscribers].flatMap((s) => s.types))].sort().join(',');
  if (types === sourceTypes && source) return;
  source?.close();
  source = null;
  sourceTypes = types;
  if (!types) return;
  const es = new EventSource(`/api/v1/events?types=${encodeURIComponent(types)}`);
  for (const type of types.split(',')) {
    es.addEventListener(type, (ev) => {
      let data: EventData;
      try {
        data = JSON.parse((ev as MessageEvent<string>).data) as EventData;
      } catch {
        return;
      }
      for (const s of subscribers) if (s.types.includes(type)) s.onEvent(type, data);
    });
  }
  es.onopen = () => {
    for (const s of subscribers) s.onOpen?.();
  };
  source = es;
}

/** Subscribes for the component's lifetime; the latest callbacks are always used. */
export function useEvents(types: string[], onEvent: (type: string, data: EventData) => void, onOpen?: () => void): void {
  const latest = useRef({ onEvent, onOpen });
  useEffect(() => {
    latest.current = { onEvent, onOpen };
  });
  const key = [...types].sort().join(',');
  useEffect(() => {
    const sub: Subscriber = {
      types: key.split(',').filter(Boolean),
      onEvent: (type, data) => latest.current.onEvent(type, data),
      onOpen: () => latest.current.onOpen?.(),
    };
    subscribers.add(sub);
    sync();
    return () => {
      subscribers.delete(sub);
      // Closing and reopening on a quick remount (navigation) is cheap, but not needed at once.
      setTimeout(sync, 0);
    };
  }, [key]);
}

/**
 * Calls `refresh` (e.g. SWR's mutate) when a matching event arrives, at most every `waitMs`,
 * and on every (re)connect. Bursts (a task logging many lines) cost one refetch.
 */
export function useRefreshOn(types: string[], matches: (type: string, data: EventData) => boolean, refresh: () => void, waitMs = 300): void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const schedule = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      refresh();
    }, waitMs);
  };
  useEvents(types, (type, data) => matches(type, data) && schedule(), schedule);
}

/** JSON from our API with the session cookie; errors carry the API's message. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  }
  return (await res.json()) as T;
}
