'use client';

import { useEffect, useRef } from 'react';
import { useSWRConfig, type Key } from 'swr';

/**
 * Live updates from `/api/v1/events` (Server-Sent Events) for client components.
 *
 * One EventSource per browser tab, shared by every component that listens: it opens with the first
 * subscriber and closes a few seconds after the last one leaves (so a page change does not drop and
 * reopen it). The browser resumes with `Last-Event-ID` after a network blip; after a longer outage
 * (or a stream the server ended), subscribers get a `reconnect` call so they can refetch what they
 * may have missed.
 *
 *   // Refetch an SWR key whenever a matching event arrives (coalesced):
 *   useRevalidateOn('/api/v1/fleet', ['server.status'], (d) => d.serverId === id);
 *   // Or handle the data yourself (e.g. patch an SWR cache entry without a refetch):
 *   useEvents(['metrics'], (data) => mutate(key, (cur) => patch(cur, data), { revalidate: false }));
 */
export type EventData = Record<string, unknown>;
type Listener = (data: EventData, type: string) => void;

const URL_PATH = '/api/v1/events';
const CLOSE_GRACE_MS = 5_000;
const RETRY_MS = [2_000, 5_000, 15_000, 30_000];

interface Shared {
  source: EventSource | null;
  listeners: Map<string, Set<Listener>>;
  reconnectListeners: Set<() => void>;
  attached: Set<string>;
  closeTimer?: ReturnType<typeof setTimeout>;
  retryTimer?: ReturnType<typeof setTimeout>;
  failures: number;
  opened: boolean;
}

const shared: Shared = { source: null, listeners: new Map(), reconnectListeners: new Set(), attached: new Set(), failures: 0, opened: false };

function subscriberCount() {
  let n = shared.reconnectListeners.size;
  for (const set of shared.listeners.values()) n += set.size;
  return n;
}

function dispatch(this: EventSource, e: MessageEvent) {
  let data: EventData;
  try {
    data = JSON.parse(e.data) as EventData;
  } catch {
    return;
  }
  for (const fn of [...(shared.listeners.get(e.type) ?? [])]) fn(data, e.type);
}

function attach(type: string) {
  if (!shared.source || shared.attached.has(type)) return;
  shared.source.addEventListener(type, dispatch as EventListener);
  shared.attached.add(type);
}

function open() {
  if (shared.source || typeof EventSource === 'undefined') return;
  const source = new EventSource(URL_PATH);
  shared.source = source;
  shared.attached.clear();
  for (const type of shared.listeners.keys()) attach(type);
  source.onopen = () => {
    // Events published between a subscriber's first fetch and this open, or beyond the server's
    // resume window after a failure, were missed: every open asks subscribers to catch up.
    for (const fn of [...shared.reconnectListeners]) fn();
    shared.opened = true;
    shared.failures = 0;
  };
  source.onerror = () => {
    // CONNECTING: the browser retries by itself. CLOSED: it gave up (e.g. a 401 or a restart
    // answering 5xx); retry with backoff while anyone still listens.
    if (source.readyState !== EventSource.CLOSED) return;
    close();
    const delay = RETRY_MS[Math.min(shared.failures++, RETRY_MS.length - 1)];
    shared.retryTimer = setTimeout(() => subscriberCount() > 0 && open(), delay);
  };
}

function close() {
  shared.source?.close();
  shared.source = null;
  shared.attached.clear();
}

function retain() {
  clearTimeout(shared.closeTimer);
  open();
}

function release() {
  if (subscriberCount() > 0) return;
  clearTimeout(shared.closeTimer);
  shared.closeTimer = setTimeout(() => {
    if (subscriberCount() > 0) return;
    clearTimeout(shared.retryTimer);
    close();
    shared.opened = false;
  }, CLOSE_GRACE_MS);
}

/**
 * Calls `handler(data, type)` for every event of the given types this user may see. The latest
 * handler is always used, so it may close over fresh state without re-subscribing. `onReconnect`
 * runs whenever the stream opens (first connect and every reconnect): refetch there.
 */
export function useEvents(types: readonly string[], handler: Listener, onReconnect?: () => void): void {
  const latest = useRef({ handler, onReconnect });
  useEffect(() => {
    latest.current = { handler, onReconnect };
  });
  const typesKey = types.join(',');

  useEffect(() => {
    const list = typesKey ? typesKey.split(',') : [];
    const listener: Listener = (data, type) => latest.current.handler(data, type);
    const reconnect = () => latest.current.onReconnect?.();
    for (const type of list) {
      let set = shared.listeners.get(type);
      if (!set) shared.listeners.set(type, (set = new Set()));
      set.add(listener);
      attach(type);
    }
    shared.reconnectListeners.add(reconnect);
    retain();
    return () => {
      for (const type of list) shared.listeners.get(type)?.delete(listener);
      shared.reconnectListeners.delete(reconnect);
      release();
    };
  }, [typesKey]);
}

/**
 * Revalidates the SWR `key` when an event of `types` arrives (and `match`, if given, accepts its
 * data), and after a reconnect. Bursts are coalesced into one refetch per `delayMs` (default 300).
 */
export function useRevalidateOn(key: Key, types: readonly string[], match?: (data: EventData, type: string) => boolean, delayMs = 300): void {
  const { mutate } = useSWRConfig();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const schedule = () => {
    if (timer.current || key === null || key === undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void mutate(key);
    }, delayMs);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  useEvents(types, (data, type) => (!match || match(data, type)) && schedule(), schedule);
}
