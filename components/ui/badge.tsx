import type { ReactNode } from 'react';
import { cx } from './cx';

export type Tone = 'neutral' | 'green' | 'red' | 'amber' | 'blue' | 'violet';

const tones: Record<Tone, string> = {
  neutral: 'bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-400/20',
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-950/60 dark:text-emerald-300 dark:ring-emerald-400/25',
  red: 'bg-red-50 text-red-800 ring-red-600/20 dark:bg-red-950/60 dark:text-red-300 dark:ring-red-400/25',
  amber: 'bg-amber-50 text-amber-900 ring-amber-600/25 dark:bg-amber-950/60 dark:text-amber-300 dark:ring-amber-400/25',
  blue: 'bg-sky-50 text-sky-800 ring-sky-600/20 dark:bg-sky-950/60 dark:text-sky-300 dark:ring-sky-400/25',
  violet: 'bg-indigo-50 text-indigo-800 ring-indigo-600/20 dark:bg-indigo-950/60 dark:text-indigo-300 dark:ring-indigo-400/25',
};

const dots: Record<Tone, string> = {
  neutral: 'bg-zinc-400',
  green: 'bg-emerald-500',
  red: 'bg-red-500',
  amber: 'bg-amber-500',
  blue: 'bg-sky-500',
  violet: 'bg-indigo-500',
};

export function Badge({ tone = 'neutral', children, dot, className }: { tone?: Tone; children: ReactNode; dot?: boolean; className?: string }) {
  return (
    <span className={cx('inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset', tones[tone], className)}>
      {dot && <span aria-hidden="true" className={cx('size-1.5 rounded-full', dots[tone])} />}
      {children}
    </span>
  );
}

/** Every status word Gatehouse shows, by meaning; an unknown word is neutral. */
const statusTones: Record<string, Tone> = {
  up: 'green', running: 'green', succeeded: 'green', deployed: 'green', ok: 'green', installed: 'green', active: 'green', valid: 'green', resolved: 'green',
  down: 'red', failed: 'red', error: 'red', mismatch: 'red', firing: 'red', expired: 'red', revoked: 'red',
  pending: 'amber', queued: 'blue', drifted: 'amber', interrupted: 'amber', expiring: 'amber', silenced: 'violet',
  unknown: 'neutral', missing: 'neutral', inactive: 'neutral', none: 'neutral',
};

/** A status word with a coloured dot: colour is never the only signal, the word is always shown. */
export function StatusPill({ status, label }: { status: string; label?: string }) {
  return (
    <Badge tone={statusTones[status] ?? 'neutral'} dot>
      {label ?? status.replaceAll('_', ' ')}
    </Badge>
  );
}
