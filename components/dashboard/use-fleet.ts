'use client';

import { useEffect, useRef } from 'react';
import useSWR from 'swr';
import type { FleetItem } from '@/lib/monitoring/schemas';
import type { Page } from '@/lib/pagination';
import { fetchJson } from '@/components/realtime/fetch-json';
import { useEvents, type EventData } from '@/components/realtime/use-events';

export const FLEET_KEY = '/api/v1/fleet';
const FLUSH_MS = 1_000;

/** Every page of GET /api/v1/fleet. */
async function fetchFleet([, tagQuery]: readonly [string, string]): Promise<FleetItem[]> {
  const items: FleetItem[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<FleetItem> = await fetchJson(`${FLEET_KEY}?limit=500${tagQuery}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

type Patch = { status?: FleetItem['status']; sample?: Partial<NonNullable<FleetItem['sample']>> & { at: string } };

/**
 * The fleet, kept live without polling: `metrics` and `server.status` events patch the cached list
 * in place (batched once a second, so a big fleet does not re-render per event); servers added,
 * removed or re-shared make it refetch.
 */
export function useFleet(initial?: FleetItem[], tags: string[] = []) {
  // The dashboard's ?tag= filter (every tag must match) is part of the key.
  const tagQuery = tags.map((t) => `&tag=${encodeURIComponent(t)}`).join('');
  const swr = useSWR([FLEET_KEY, tagQuery] as const, fetchFleet, { fallbackData: initial, revalidateOnFocus: false, keepPreviousData: true });
  const { mutate } = swr;
  const pending = useRef(new Map<string, Patch>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const flush = () => {
    timer.current = undefined;
    const patches = pending.current;
    pending.current = new Map();
    let unknown = false;
    void mutate(
      (current) => {
        if (!current) return current;
        const known = new Set(current.map((s) => s.id));
        // Filtered by tag, a server outside the list is expected, not news (no refetch for it).
        for (const id of patches.keys()) if (!known.has(id) && !tagQuery) unknown = true;
        return current.map((s) => {
          const p = patches.get(s.id);
          if (!p) return s;
          const sample = p.sample ? ({ ...(s.sample ?? emptySample()), ...p.sample } as FleetItem['sample']) : s.sample;
          return { ...s, status: p.status ?? s.status, sample, lastSeenAt: p.sample?.at ?? s.lastSeenAt, lastError: p.sample ? null : s.lastError };
        });
      },
      { revalidate: false },
    ).then(() => {
      if (unknown) void mutate();
    });
  };

  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(refetchTimer.current), []);
  const refetchSoon = () => {
    refetchTimer.current ??= setTimeout(() => {
      refetchTimer.current = undefined;
      void mutate();
    }, 2 * FLUSH_MS);
  };

  const onEvent = (data: EventData, type: string) => {
    const id = String(data.serverId ?? '');
    if (!id) return;
    if (type !== 'metrics' && type !== 'server.status') return void mutate();
    const p = pending.current.get(id) ?? {};
    if (type === 'metrics') {
      const { at, cpu, memory, disk, load1, load5, load15 } = data as Record<string, never>;
      p.sample = { at, cpu, memory, disk, load1, ...(load5 !== undefined && { load5 }), ...(load15 !== undefined && { load15 }) };
    } else {
      p.status = data.status as FleetItem['status'];
      // The event carries no error text: refetch (status changes are rare) to show why it is down.
      refetchSoon();
    }
    pending.current.set(id, p);
    timer.current ??= setTimeout(flush, FLUSH_MS);
  };

  useEvents(['metrics', 'server.status', 'server.created', 'server.updated', 'server.deleted', 'server.shares'], onEvent, () => void mutate());
  return swr;
}

function emptySample(): NonNullable<FleetItem['sample']> {
  return { at: '', apiVersion: 0, cpu: 0, memory: 0, swap: 0, disk: null, disks: [], load1: 0, load5: 0, load15: 0, netRx: null, netTx: null, missing: [] };
}
