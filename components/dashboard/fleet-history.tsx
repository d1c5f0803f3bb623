import Link from 'next/link';
import type { BusiestServer, FleetHistoryDto, FleetWindow } from '@/lib/monitoring/schemas';
import { Card } from '@/components/ui/card';
import { cx } from '@/components/ui/cx';
import { formatPercent, level } from '@/components/monitoring/format';

const WINDOWS: { value: FleetWindow; label: string }[] = [
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
];

const bars = { ok: 'bg-emerald-500 dark:bg-emerald-400', warn: 'bg-amber-500 dark:bg-amber-400', crit: 'bg-red-600 dark:bg-red-500', none: 'bg-zinc-300' };

/** One metric's busiest servers as horizontal bars: the average (bar and number) and the peak (tick). */
function Busiest({ title, items }: { title: string; items: BusiestServer[] }) {
  return (
    <section aria-labelledby={`busiest-${title}`} className="min-w-0">
      <h3 id={`busiest-${title}`} className="mb-2 text-sm font-semibold text-zinc-800 dark:text-zinc-200">
        {title}
      </h3>
      {items.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No history in this window yet.</p>
      ) : (
        <ol className="space-y-1.5">
          {items.map((s) => (
            <li key={s.serverId} className="grid grid-cols-[minmax(0,8rem)_minmax(0,1fr)_4rem] items-center gap-2 text-sm">
              <Link href={`/servers/${s.serverId}/metrics`} className="truncate font-medium text-indigo-700 hover:underline dark:text-indigo-400" title={s.name}>
                {s.name}
              </Link>
              <div
                className="relative h-2.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
                role="img"
                aria-label={`${s.name}: average ${formatPercent(s.avg)}, peak ${formatPercent(s.max)}`}
              >
                <div className={cx('h-full rounded-full', bars[level(s.avg)])} style={{ width: `${Math.min(100, Math.max(0, s.avg))}%` }} />
                {s.max !== null && <div aria-hidden="true" className="absolute top-0 h-full w-0.5 bg-zinc-700 dark:bg-zinc-200" style={{ left: `calc(${Math.min(100, Math.max(0, s.max))}% - 1px)` }} />}
              </div>
              <span className="text-right tabular-nums" title={`peak ${formatPercent(s.max)}`}>
                {formatPercent(s.avg)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * The fleet's history at a glance: the busiest servers by CPU, memory and disk over a window,
 * from the roll-ups. The window is in the URL (`?window=7d`), so the view can be bookmarked.
 */
export function FleetHistory({ history, tags = [] }: { history: FleetHistoryDto; tags?: string[] }) {
  const tagPart = tags.map((t) => `&tag=${encodeURIComponent(t)}`).join('');
  return (
    <Card
      title="Busiest servers"
      description="Average use over the window (bar) and the highest peak (tick), from the stored roll-ups. Each name opens the server's charts."
      actions={
        <nav aria-label="History window" className="flex gap-1">
          {WINDOWS.map((w) => (
            <Link
              key={w.value}
              href={`/?window=${w.value}${tagPart}`}
              aria-current={history.window === w.value ? 'page' : undefined}
              className={cx(
                'rounded-md px-2.5 py-1 text-sm font-medium ring-1 ring-inset',
                history.window === w.value ? 'bg-indigo-600 text-white ring-indigo-600' : 'bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700',
              )}
            >
              {w.label}
            </Link>
          ))}
        </nav>
      }
    >
      <div className="grid gap-6 md:grid-cols-3">
        <Busiest title="CPU" items={history.cpu} />
        <Busiest title="Memory" items={history.memory} />
        <Busiest title="Disk" items={history.disk} />
      </div>
    </Card>
  );
}
