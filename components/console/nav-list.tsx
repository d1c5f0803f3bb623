'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Icon } from '@/components/ui/icons';
import { cx } from '@/components/ui/cx';
import { isCurrent, type NavItem } from './nav';

export function NavList({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-0.5">
      {items.map((item) => {
        const current = isCurrent(item.href, pathname);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={current ? 'page' : undefined}
              className={cx(
                'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium',
                current
                  ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950/60 dark:text-indigo-300'
                  : 'text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white',
              )}
            >
              <Icon name={item.icon} className={cx('size-4', current ? 'text-indigo-600 dark:text-indigo-400' : 'text-zinc-400 dark:text-zinc-500')} />
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
