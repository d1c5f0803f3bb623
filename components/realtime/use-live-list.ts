'use client';

import type { Page } from '@/lib/pagination';
import { useRefreshOn } from '@/components/tasks/event-stream';
import { useSeededSWR } from './use-seeded-swr';

/**
 * The items of one list from our API, kept live: the page the server rendered is the first data
 * (read once more on mount, see useSeededSWR; not on focus), and an event of `events` refetches
 * it, coalesced within `waitMs` and again after a reconnect. Nothing polls.
 */
export function useLiveList<T>(key: string, initial: Page<T>, events: string[], waitMs?: number): T[] {
  const { data, mutate } = useSeededSWR<Page<T>>(key, initial);
  useRefreshOn(events, () => true, () => void mutate(), waitMs);
  return data?.items ?? [];
}
