'use client';

import { useId } from 'react';
import { cx } from '@/components/ui/cx';
import { controlClass } from '@/components/ui/field-parts';

export type StatusFilter = 'all' | 'up' | 'down' | 'unknown';

const FILTERS: Array<{ value: StatusFilter; label: string; dot?: string }> = [
  { value: 'all', label: 'All' },
  { value: 'down', label: 'Down', dot: 'bg-red-500' },
  { value: 'unknown', label: 'Unknown', dot: 'bg-zinc-400' },
  { value: 'up', label: 'Up', dot: 'bg-emerald-500' },
];

/** Status counts that double as filter buttons, and a name filter. */
export function FleetControls({
  counts,
  status,
  onStatus,
  query,
  onQuery,
}: {
  counts: Record<StatusFilter, number>;
  status: StatusFilter;
  onStatus: (s: StatusFilter) => void;
  query: string;
  onQuery: (q: string) => void;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <div role="group" aria-label="Show servers by status" className="flex flex-wrap gap-2">
        {FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            aria-pressed={status === f.value}
            onClick={() => onStatus(f.value)}
            className={cx(
              'inline-flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset',
              status === f.value
                ? 'bg-indigo-50 text-indigo-800 ring-indigo-300 dark:bg-indigo-950/60 dark:text-indigo-200 dark:ring-indigo-800'
                : 'bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800',
            )}
          >
            {f.dot && <span aria-hidden="true" className={cx('size-2 rounded-full', f.dot)} />}
            {f.label}
            <span className="tabular-nums text-zinc-500 dark:text-zinc-400" data-count={f.value}>
              {counts[f.value]}
            </span>
          </button>
        ))}
      </div>
      <div className="sm:w-64">
        <label htmlFor={id} className="sr-only">
          Filter servers by name
        </label>
        <input id={id} type="search" value={query} onChange={(e) => onQuery(e.target.value)} placeholder="Filter by name…" className={cx(controlClass(false), 'h-9')} />
      </div>
    </div>
  );
}
