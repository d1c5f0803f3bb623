'use client';

import { useEffect, useRef } from 'react';
import useSWR, { type SWRResponse } from 'swr';
import { fetchJson } from './fetch-json';

/**
 * SWR for data the server already rendered: `initial` is shown at once and written over whatever
 * the tab's cache still holds for `key` from an earlier visit (after a client-side navigation
 * that entry is older than the page), then it is read again once on mount — an event published
 * between the server's render and this component's subscription would otherwise be missed for
 * good. Focus does not refetch; events do (useRefreshOn / useRevalidateOn beside it).
 */
export function useSeededSWR<T>(key: string, initial: T, fetcher: (url: string) => Promise<T> = fetchJson): SWRResponse<T> {
  const swr = useSWR<T>(key, fetcher, { fallbackData: initial, revalidateOnMount: false, revalidateOnFocus: false, keepPreviousData: true });
  const seed = useRef(initial);
  useEffect(() => {
    seed.current = initial;
  });
  const { mutate } = swr;
  useEffect(() => {
    void mutate(seed.current, { revalidate: true }).catch(() => undefined);
  }, [key, mutate]);
  return swr;
}
