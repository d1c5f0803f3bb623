'use client';

import { useId, useState } from 'react';
import type { FormServerAction } from '@/components/ui/form';
import { SubmitButton } from '@/components/ui/form';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { controlClass } from '@/components/ui/field-parts';
import type { ShareUser } from './share-choices';

const ACTIONS = [
  { value: 'test', label: 'Test connection' },
  { value: 'deploy', label: 'Deploy' },
  { value: 'silence', label: 'Silence alerts' },
  { value: 'share', label: 'Share with a user' },
];

/**
 * Admins: act on the servers ticked in the list as ONE task (its page follows the progress and
 * each server's outcome). With nothing ticked and a tag filter on, it acts on that tag.
 */
export function BulkBar({ action, selected, tag, users }: { action: FormServerAction; selected: string[]; tag?: string; users: ShareUser[] }) {
  const id = useId();
  const [kind, setKind] = useState('test');
  const [state, dispatch] = useToastedAction(action, { toastErrors: true });
  const target = selected.length ? `${selected.length} selected server${selected.length === 1 ? '' : 's'}` : tag ? `every server tagged ${tag}` : null;
  const offered = users.filter((u) => u.role === 'user' && u.active);
  const small = `${controlClass(false).replace('w-full', 'w-auto')} h-8`;
  return (
    <form action={dispatch} aria-label="Bulk actions" className="flex flex-wrap items-end gap-2 rounded-md border border-zinc-200 bg-zinc-50 p-2 text-sm dark:border-zinc-800 dark:bg-zinc-900/50">
      {selected.map((s) => (
        <input key={s} type="hidden" name="ids" value={s} />
      ))}
      {!selected.length && tag && <input type="hidden" name="tag" value={tag} />}
      <span className="self-center text-zinc-700 dark:text-zinc-300" aria-live="polite">
        {target ? `Act on ${target}:` : 'Tick servers (or filter by a tag) to act on several at once.'}
      </span>
      <label htmlFor={`${id}-action`} className="sr-only">
        Bulk action
      </label>
      <select id={`${id}-action`} name="action" value={kind} onChange={(e) => setKind(e.target.value)} className={small} disabled={!target}>
        {ACTIONS.map((a) => (
          <option key={a.value} value={a.value}>
            {a.label}
          </option>
        ))}
      </select>
      {kind === 'silence' && (
        <>
          <label htmlFor={`${id}-minutes`} className="self-center">
            for minutes
          </label>
          <input id={`${id}-minutes`} name="durationMinutes" inputMode="numeric" defaultValue="60" className={`${small} w-20`} />
        </>
      )}
      {kind === 'share' && (
        <>
          <label htmlFor={`${id}-user`} className="self-center">
            with
          </label>
          <select id={`${id}-user`} name="userId" className={small} defaultValue="">
            <option value="" disabled>
              Choose a user
            </option>
            {offered.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
              </option>
            ))}
          </select>
        </>
      )}
      <SubmitButton size="sm" disabled={!target}>
        Run
      </SubmitButton>
      {!state.ok && state.message && state.fields && (
        <p role="alert" className="w-full text-sm text-red-700 dark:text-red-400">
          {Object.values(state.fields).flat().join(' ')}
        </p>
      )}
    </form>
  );
}
