'use client';

import useSWR from 'swr';
import type { Page } from '@/lib/pagination';
import { useRefreshOn } from '@/components/tasks/event-stream';
import { fetchJson } from '@/components/realtime/fetch-json';

/**
 * The items of one list from our API, kept live: the page the server rendered is the first data
 * (no refetch on mount or focus), and an event of `events` refetches it, coalesced within
 * `waitMs` and again after a reconnect. Nothing polls.
 */
export function useLiveList<T>(key: string, initial: Page<T>, events: string[], waitMs?: number): T[] {
  const { data, mutate } = useSWR<Page<T>>(key, fetchJson, { fallbackData: initial, revalidateOnMount: false, revalidateOnFocus: false, keepPreviousData: true });
  useRefreshOn(events, () => true, () => void mutate(), waitMs);
  return data?.items ?? [];
}
