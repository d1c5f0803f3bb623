import type { ReactNode } from 'react';
import { Icon } from './icons';
import { cx } from './cx';

type NoticeTone = 'info' | 'success' | 'warning' | 'error';

const tones: Record<NoticeTone, string> = {
  info: 'bg-sky-50 text-sky-900 ring-sky-200 dark:bg-sky-950/50 dark:text-sky-100 dark:ring-sky-900',
  success: 'bg-emerald-50 text-emerald-900 ring-emerald-200 dark:bg-emerald-950/50 dark:text-emerald-100 dark:ring-emerald-900',
  warning: 'bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950/50 dark:text-amber-100 dark:ring-amber-900',
  error: 'bg-red-50 text-red-900 ring-red-200 dark:bg-red-950/50 dark:text-red-100 dark:ring-red-900',
};

/** An inline flash: a message in the page (e.g. "Password changed, sign in again"). */
export function Notice({ tone = 'info', title, children, role }: { tone?: NoticeTone; title?: ReactNode; children?: ReactNode; role?: 'status' | 'alert' }) {
  return (
    <div role={role} className={cx('flex gap-3 rounded-md p-3 text-sm ring-1', tones[tone])}>
      <Icon name={tone === 'success' ? 'check' : tone === 'info' ? 'info' : 'alert'} className="mt-0.5 size-4 shrink-0" />
      <div className="space-y-1">
        {title && <p className="font-semibold">{title}</p>}
        {children && <div>{children}</div>}
      </div>
    </div>
  );
}
