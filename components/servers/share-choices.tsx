'use client';

import { useId } from 'react';
import { useFieldState } from '@/components/ui/form';
import type { ShareDto } from '@/lib/servers/schemas';

export interface ShareUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'user';
  active: boolean;
}

/**
 * One checkbox per user (shared or not) and beside it the share's level: View (read-only) or
 * Operate (test, install, deploy, its domains and silences). The checkboxes post `sharedWith`,
 * the levels `shareLevels` as `userId:level`; the action turns both into `shares`. The hidden
 * empty value makes "none ticked" reach the server as an empty list (unshare all) rather than as
 * "field absent". Admins see and operate every server, so only users are offered.
 */
export function ShareChoices({ users, selected }: { users: ShareUser[]; selected: ShareDto[] }) {
  const { error, value } = useFieldState('sharedWith');
  const levels = useFieldState('shareLevels');
  const echoed = value === undefined ? null : [value].flat();
  const echoedLevels = levels.value === undefined ? null : [levels.value].flat();
  const offered = users.filter((u) => u.role === 'user');
  const id = useId();
  const levelOf = (userId: string) =>
    echoedLevels?.find((v) => v.startsWith(`${userId}:`))?.slice(userId.length + 1) ?? selected.find((s) => s.userId === userId)?.level ?? 'view';
  return (
    <div role="group" aria-labelledby={`${id}-label`} aria-describedby={error ? `${id}-error` : undefined} className="space-y-2">
      <p id={`${id}-label`} className="text-sm text-zinc-600 dark:text-zinc-400">
        View: the user sees the server, its tasks and metrics, read-only. Operate: they may also test it, install, deploy, edit its domains
        (not custom directives) and silence its alerts. Admins see every server.
      </p>
      <input type="hidden" name="sharedWith" value="" />
      {offered.length === 0 && <p className="text-sm text-zinc-500">There are no users (non-admins) to share with yet.</p>}
      <ul className="max-h-48 space-y-1.5 overflow-auto">
        {offered.map((u) => (
          <li key={u.id} className="flex items-center justify-between gap-3">
            <label className="flex min-w-0 items-center gap-3 text-sm">
              <input
                type="checkbox"
                name="sharedWith"
                value={u.id}
                defaultChecked={echoed ? echoed.includes(u.id) : selected.some((s) => s.userId === u.id)}
                className="size-4 rounded border-zinc-300 accent-indigo-600 dark:border-zinc-600"
              />
              <span className="truncate font-medium text-zinc-900 dark:text-zinc-100">{u.email}</span>
              {u.name && <span className="truncate text-zinc-500 dark:text-zinc-400">{u.name}</span>}
              {!u.active && <span className="text-xs text-zinc-500">(inactive)</span>}
            </label>
            <select
              name="shareLevels"
              // Read "uma at example.test": the checkbox alone carries the address as its label.
              aria-label={`Access level for ${u.email.replace('@', ' at ')}`}
              defaultValue={`${u.id}:${levelOf(u.id)}`}
              className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100"
            >
              <option value={`${u.id}:view`}>View</option>
              <option value={`${u.id}:operate`}>Operate</option>
            </select>
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

