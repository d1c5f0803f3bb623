import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from 'react';
import { cx } from './cx';

/**
 * A data table that scrolls sideways on narrow screens instead of squeezing, or, with `cards`,
 * turns into one card per row on phones (below 640 px; give each Td its column's `label`, which
 * names the value on the card; the first cell is the card's title and needs none). The caption is for
 * screen readers (the page header already says it visually) unless showCaption is set. Inside a
 * Card (flush) pass framed={false}. `relative` keeps sr-only text in cells inside the scroller
 * (absolutely positioned, it would otherwise widen the page on phones).
 */
export function Table({ caption, showCaption, framed = true, cards, children }: { caption: string; showCaption?: boolean; framed?: boolean; cards?: boolean; children: ReactNode }) {
  return (
    <div className={cx('relative overflow-x-auto', framed && 'rounded-lg bg-white shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800')}>
      <table className={cx('min-w-full divide-y divide-zinc-200 text-left text-sm dark:divide-zinc-800', cards && 'table-cards')}>
        <caption className={showCaption ? 'px-4 py-3 text-left text-sm font-medium' : 'sr-only'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return (
    <thead className="bg-zinc-50 dark:bg-zinc-900/60">
      <tr>{children}</tr>
    </thead>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>;
}

export function Th({ children, className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th scope="col" className={cx('px-4 py-2.5 text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-600 uppercase dark:text-zinc-400', className)} {...props}>
      {children}
    </th>
  );
}

export function Tr({ children, className }: { children: ReactNode; className?: string }) {
  return <tr className={cx('hover:bg-zinc-50/70 dark:hover:bg-zinc-800/40', className)}>{children}</tr>;
}

/**
 * A cell; `primary` marks the row's main value (e.g. the e-mail of a user) in a stronger colour;
 * `label` is its column's name, shown beside the value when a `cards` table is a card on a phone.
 */
export function Td({ children, className, primary, label, ...props }: TdHTMLAttributes<HTMLTableCellElement> & { primary?: boolean; label?: string }) {
  return (
    <td
      data-label={label}
      className={cx(
        'px-4 py-3 align-middle whitespace-nowrap',
        primary ? 'font-medium text-zinc-900 dark:text-zinc-100' : 'text-zinc-700 dark:text-zinc-300',
        className,
      )}
      {...props}
    >
      {children}
    </td>
  );
}
