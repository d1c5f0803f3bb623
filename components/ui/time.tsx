'use client';

import { useSyncExternalStore } from 'react';

const noop = () => () => {};
/** True after hydration: the server cannot know the browser's time zone, so it renders UTC first. */
const useHydrated = () => useSyncExternalStore(noop, () => true, () => false);

const formats = {
  datetime: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  date: { year: 'numeric', month: 'short', day: 'numeric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

function relative(d: Date): string {
  const seconds = (d.getTime() - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  return seconds <= 0 ? 'just now' : 'in a moment';
}

/**
 * A timestamp in the reader's time zone: `datetime` (default), `date`, or `relative`
 * ("5 minutes ago"). Before hydration it shows UTC; the exact ISO value is always in the title.
 */
export function Time({ iso, empty = '—', format = 'datetime' }: { iso: string | null | undefined; empty?: string; format?: 'datetime' | 'date' | 'relative' }) {
  const hydrated = useHydrated();
  if (!iso) return <span className="text-zinc-500 dark:text-zinc-400">{empty}</span>;
  const d = new Date(iso);
  const opts = formats[format === 'date' ? 'date' : 'datetime'];
  const text = !hydrated
    ? `${d.toLocaleString('en-GB', { ...opts, timeZone: 'UTC' })}${format === 'date' ? '' : ' UTC'}`
    : format === 'relative'
      ? relative(d)
      : d.toLocaleString(undefined, opts);
  return (
    <time dateTime={iso} title={hydrated ? d.toLocaleString() : iso}>
      {text}
    </time>
  );
}
