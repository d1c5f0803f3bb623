import type { ServerUptimeDto } from '@/lib/monitoring/schemas';
import { cx } from '@/components/ui/cx';

const CELL = {
  up: 'bg-emerald-500 dark:bg-emerald-500',
  down: 'bg-red-600 dark:bg-red-500',
  unknown: 'bg-zinc-200 dark:bg-zinc-700',
} as const;
const WORD = { up: 'up', down: 'down', unknown: 'no data' } as const;

/** "99.95 %", "100 %", "—" when nothing was observed. */
export function formatUptime(pct: number | null): string {
  if (pct === null) return '—';
  if (pct >= 100) return '100 %';
  // Never round a real outage up to 100.
  const fixed = pct >= 99.99 ? Math.floor(pct * 100) / 100 : Math.round(pct * 100) / 100;
  return `${fixed.toFixed(2).replace(/\.?0+$/, '')} %`;
}

function hourLabel(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:00`;
}

/** The last 24 hours, one cell an hour (oldest left); each cell says its hour and state. */
export function UptimeStrip({ strip, label }: { strip: ServerUptimeDto['strip']; label: string }) {
  const down = strip.filter((s) => s.state === 'down').length;
  const known = strip.filter((s) => s.state !== 'unknown').length;
  const summary = known === 0 ? 'no data in the last 24 hours' : down === 0 ? `up in every hour with data (${known} of 24)` : `down in ${down} of the last 24 hours`;
  return (
    <div role="img" aria-label={`${label}: ${summary}`} className="flex h-5 items-stretch gap-px" data-uptime-strip>
      {strip.map((s) => (
        <span key={s.start} title={`${hourLabel(s.start)}: ${WORD[s.state]}`} data-state={s.state} className={cx('w-1.5 min-w-1 flex-1 rounded-sm', CELL[s.state])} />
      ))}
    </div>
  );
}

/** Both figures and the strip, as the dashboard and the server page show them. */
export function UptimeFigures({ uptime, name }: { uptime: ServerUptimeDto; name: string }) {
  return (
    <div className="space-y-2">
      <dl className="flex gap-6 text-sm">
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">24 hours</dt>
          <dd className="font-medium tabular-nums" data-uptime="day">{formatUptime(uptime.day)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500 dark:text-zinc-400">30 days</dt>
          <dd className="font-medium tabular-nums" data-uptime="month">{formatUptime(uptime.month)}</dd>
        </div>
      </dl>
      <UptimeStrip strip={uptime.strip} label={`Uptime of ${name} over the last 24 hours`} />
    </div>
  );
}
