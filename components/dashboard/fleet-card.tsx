'use client';

import Link from 'next/link';
import { useSyncExternalStore } from 'react';
import type { FleetItem } from '@/lib/monitoring/schemas';
import { StatusPill } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { formatLoad } from '@/components/monitoring/format';
import { Meter } from './meter';

const QUERY = '(max-width: 639px)';
const subscribe = (cb: () => void) => {
  const mq = window.matchMedia(QUERY);
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
};

/** Phones get cards instead of a wide table (only one of the two is rendered: fleets are big). */
export function useNarrow(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(QUERY).matches, () => false);
}

export function FleetCard({ server: s }: { server: FleetItem }) {
  const sample = s.sample;
  const monitored = s.monitoringEnabled && s.glancesConfigured;
  return (
    <li className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
      <div className="flex items-center justify-between gap-3">
        <Link href={`/servers/${s.id}`} className="font-medium text-zinc-900 hover:underline dark:text-zinc-100">
          {s.name}
        </Link>
        <StatusPill status={s.status} />
      </div>
      {s.lastError && s.status !== 'up' && <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{s.lastError}</p>}
      {!monitored && !sample ? (
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">{s.glancesConfigured ? 'Monitoring is off' : 'No Glances address set'}</p>
      ) : (
        <dl className="mt-3 grid grid-cols-3 gap-3 text-sm">
          {(
            [
              ['CPU', sample?.cpu],
              ['Memory', sample?.memory],
              ['Disk', sample?.disk],
            ] as const
          ).map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
              <dd>
                <Meter value={value} label={label} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      <p className="mt-2 flex justify-between text-xs text-zinc-500 dark:text-zinc-400">
        <span className="tabular-nums">Load {sample ? `${formatLoad(sample.load1)} · ${formatLoad(sample.load5)} · ${formatLoad(sample.load15)}` : '—'}</span>
        <Time iso={s.lastSeenAt} empty="never" format="relative" />
      </p>
    </li>
  );
}
