'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { Icon, type IconName } from '@/components/ui/icons';
import { cx } from '@/components/ui/cx';
import { applyTheme, THEME_KEY, type ThemeChoice } from './theme';

const choices: Array<{ value: ThemeChoice; label: string; icon: IconName }> = [
  { value: 'light', label: 'Light', icon: 'sun' },
  { value: 'dark', label: 'Dark', icon: 'moon' },
  { value: 'system', label: 'System', icon: 'monitor' },
];

const listeners = new Set<() => void>();
function subscribe(onChange: () => void) {
  listeners.add(onChange);
  window.addEventListener('storage', onChange);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener('storage', onChange);
  };
}

function readChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

function saveChoice(value: ThemeChoice) {
  try {
    if (value === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, value);
  } catch {
    // Storage blocked (private mode): the choice still applies to this page.
  }
  applyTheme(value);
  listeners.forEach((l) => l());
}

/** Light / dark / system, kept in localStorage; "system" follows the OS as it changes. */
export function ThemeToggle() {
  // null on the server: no button is marked pressed until the stored choice is known.
  const choice = useSyncExternalStore(subscribe, readChoice, () => null);

  useEffect(() => {
    if (choice !== 'system') return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => applyTheme('system');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [choice]);

  return (
    <div role="group" aria-label="Colour theme" className="inline-flex rounded-md bg-zinc-100 p-0.5 ring-1 ring-zinc-200 dark:bg-zinc-800 dark:ring-zinc-700">
      {choices.map((c) => (
        <button
          key={c.value}
          type="button"
          onClick={() => saveChoice(c.value)}
          aria-pressed={choice === c.value}
          title={`${c.label} theme`}
          className={cx(
            'inline-flex size-7 items-center justify-center rounded text-zinc-500 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white',
            choice === c.value && 'bg-white text-zinc-900 shadow-sm dark:bg-zinc-950 dark:text-white',
          )}
        >
          <Icon name={c.icon} className="size-4" />
          <span className="sr-only">{c.label}</span>
        </button>
      ))}
    </div>
  );
}
