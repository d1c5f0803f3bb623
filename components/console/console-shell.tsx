'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { usePathname } from 'next/navigation';
import Link from 'next/link';
import { Icon } from '@/components/ui/icons';
import { Brand } from './brand';
import { NavList } from './nav-list';
import { ThemeToggle } from './theme-toggle';
import { SignOutButton, UserSummary, type ShellUser } from './user-summary';
import type { NavItem } from './nav';

/**
 * Sidebar on wide screens; on phones a top bar whose menu button opens the navigation below it.
 * The menu remembers the path it was opened on, so navigating closes it without an effect.
 */
export function ConsoleShell({ items, user, signOut, children }: { items: NavItem[]; user: ShellUser; signOut: () => Promise<void>; children: ReactNode }) {
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const menuButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpenOn(null);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_minmax(0,1fr)]">
      <a href="#main" className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium focus:not-sr-only focus:fixed focus:top-2 focus:left-2 dark:bg-zinc-900">
        Skip to content
      </a>

      {/* The column carries the background and border to the page's full height; the nav inside sticks. */}
      <aside className="hidden border-r border-zinc-200 bg-white lg:block dark:border-zinc-800 dark:bg-zinc-900">
        <div className="sticky top-0 flex max-h-dvh flex-col overflow-y-auto px-3 py-4">
          <Link href="/" className="mb-6 rounded-md px-3 py-1">
            <Brand />
          </Link>
          <nav aria-label="Main">
            <NavList items={items} />
          </nav>
        </div>
      </aside>

      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/90">
          <div className="flex h-14 items-center gap-3 px-4 sm:px-6 lg:px-8">
            <button
              ref={menuButton}
              type="button"
              className="-ml-1 rounded-md p-1.5 text-zinc-600 hover:bg-zinc-100 lg:hidden dark:text-zinc-300 dark:hover:bg-zinc-800"
              aria-expanded={open}
              aria-controls="mobile-nav"
              onClick={() => setOpenOn(open ? null : pathname)}
            >
              <Icon name={open ? 'close' : 'menu'} className="size-5" />
              <span className="sr-only">{open ? 'Close menu' : 'Open menu'}</span>
            </button>
            <Link href="/" className="rounded-md lg:hidden">
              <Brand />
            </Link>
            <div className="ml-auto flex items-center gap-3">
              <ThemeToggle />
              <div className="hidden items-center gap-3 lg:flex">
                <UserSummary user={user} />
                <SignOutButton action={signOut} />
              </div>
            </div>
          </div>
          <div id="mobile-nav" hidden={!open} className="border-t border-zinc-200 px-3 pt-2 pb-4 lg:hidden dark:border-zinc-800">
              <nav aria-label="Main">
                <NavList items={items} />
              </nav>
              <div className="mt-3 flex items-center justify-between gap-3 border-t border-zinc-200 px-3 pt-3 dark:border-zinc-800">
                <UserSummary user={user} />
                <SignOutButton action={signOut} />
              </div>
          </div>
        </header>

        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 outline-none sm:px-6 lg:px-8 lg:py-8">
          {children}
        </main>
      </div>
    </div>
  );
}
