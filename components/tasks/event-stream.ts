'use client';

import { useEffect, useRef } from 'react';
import { useEvents as useSharedEvents } from '@/components/realtime/use-events';

type EventData = Record<string, unknown>;

/**
 * `useEvents` with the (type, data) argument order these widgets use, on the tab's one shared
 * EventSource (components/realtime/use-events.ts): `onOpen` runs on every (re)connect, the place
 * to fetch what may have been missed meanwhile.
 */
export function useEvents(types: string[], onEvent: (type: string, data: EventData) => void, onOpen?: () => void): void {
  useSharedEvents(types, (data, type) => onEvent(type, data), onOpen);
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
