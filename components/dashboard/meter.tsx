import { cx } from '@/components/ui/cx';
import { formatPercent, level } from '@/components/monitoring/format';

const bars = {
  ok: 'bg-emerald-500 dark:bg-emerald-400',
  warn: 'bg-amber-500 dark:bg-amber-400',
  crit: 'bg-red-600 dark:bg-red-500',
  none: 'bg-transparent',
};

/** A percentage as text plus a thin bar; the number is what counts, the bar is a glance aid. */
export function Meter({ value, label }: { value: number | null | undefined; label: string }) {
  const pct = value === null || value === undefined ? 0 : Math.max(0, Math.min(100, value));
  return (
    <div className="w-20" title={`${label}: ${formatPercent(value)}`}>
      <span className="tabular-nums">{formatPercent(value)}</span>
      <div aria-hidden="true" className="mt-1 h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
        <div className={cx('h-full rounded-full transition-[width] duration-500', bars[level(value)])} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
