'use client';

import { useId } from 'react';
import { useFieldState } from '@/components/ui/form';

export interface ShareUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  active: boolean;
}

/**
 * One checkbox per user. The hidden empty value makes "none ticked" reach the server as an empty
 * list (unshare all) rather than as "field absent". Admins see every server, so only users are offered.
 */
export function ShareChoices({ users, selected }: { users: ShareUser[]; selected: string[] }) {
  const { error, value } = useFieldState('sharedWith');
  const echoed = value === undefined ? null : [value].flat();
  const offered = users.filter((u) => u.role === 'user');
  const id = useId();
  return (
    <div role="group" aria-labelledby={`${id}-label`} aria-describedby={error ? `${id}-error` : undefined} className="space-y-2">
      <p id={`${id}-label`} className="text-sm text-zinc-600 dark:text-zinc-400">
        Users see a shared server, its tasks and metrics, read-only. Admins see every server.
      </p>
      <input type="hidden" name="sharedWith" value="" />
      {offered.length === 0 && <p className="text-sm text-zinc-500">There are no users (non-admins) to share with yet.</p>}
      <ul className="max-h-48 space-y-1.5 overflow-auto">
        {offered.map((u) => (
          <li key={u.id}>
            <label className="flex items-center gap-3 text-sm">
              <input
                type="checkbox"
                name="sharedWith"
                value={u.id}
                defaultChecked={echoed ? echoed.includes(u.id) : selected.includes(u.id)}
                className="size-4 rounded border-zinc-300 accent-indigo-600 dark:border-zinc-600"
              />
              <span className="font-medium text-zinc-900 dark:text-zinc-100">{u.email}</span>
              {u.name && <span className="text-zinc-500 dark:text-zinc-400">{u.name}</span>}
              {!u.active && <span className="text-xs text-zinc-500">(inactive)</span>}
            </label>
          </li>
        ))}
      </ul>
      {error && (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
