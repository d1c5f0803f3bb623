'use client';

import { useState } from 'react';
import type { AccessListDto } from '@/lib/proxy/dto';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';

const MAX_ROWS = 100;

/** Every field shown (user and rule rows included), so only errors without an input go on top. */
export const accessListFieldNames = [
  'name', 'satisfy',
  ...Array.from({ length: MAX_ROWS }, (_, i) => [`users.${i}.username`, `users.${i}.password`, `rules.${i}.action`, `rules.${i}.source`]).flat(),
];

const satisfyOptions = [
  { value: 'all', label: 'All: an allowed address and a password' },
  { value: 'any', label: 'Any: an allowed address or a password' },
];
const actions = [
  { value: 'allow', label: 'Allow' },
  { value: 'deny', label: 'Deny' },
];

type Row<T> = { key: number; value?: T };
let nextKey = 1;

/**
 * The create and edit form of an access list. Rows are named by position (`users.0.username`…)
 * so the service's errors land beside them. Passwords are never shown: on edit an empty
 * password keeps the one the user has.
 */
export function AccessListFields({ list }: { list?: AccessListDto }) {
  const [users, setUsers] = useState<Row<AccessListDto['users'][number]>[]>(() => (list?.users ?? []).map((value) => ({ key: nextKey++, value })));
  const [rules, setRules] = useState<Row<AccessListDto['rules'][number]>[]>(() => (list?.rules ?? []).map((value) => ({ key: nextKey++, value })));
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" required defaultValue={list?.name} placeholder="Office staff" autoComplete="off" />
        <Select label="Satisfy" name="satisfy" defaultValue={list?.satisfy ?? 'all'} options={satisfyOptions} hint="Used when the list has both rules and users." />
      </div>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Users (basic authentication)</legend>
        {users.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No users: no password is asked.</p>}
        {users.map((r, i) => (
          <div key={r.key} className="grid items-end gap-3 sm:grid-cols-[1fr_1fr_auto]" role="group" aria-label={`User ${i + 1}`}>
            <Field label="User name" name={`users.${i}.username`} defaultValue={r.value?.username} autoComplete="off" />
            <Field
              label="Password"
              name={`users.${i}.password`}
              type="password"
              autoComplete="new-password"
              optional={Boolean(r.value?.hasPassword)}
              hint={r.value?.hasPassword ? 'Leave empty to keep the current password.' : undefined}
            />
            <Button size="sm" variant="ghost" onClick={() => setUsers((cur) => cur.filter((x) => x.key !== r.key))} aria-label={`Remove user ${i + 1}`}>
              Remove
            </Button>
          </div>
        ))}
        {users.length < MAX_ROWS && (
          <Button size="sm" onClick={() => setUsers((cur) => [...cur, { key: nextKey++ }])}>
            Add user
          </Button>
        )}
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Address rules (first match decides)</legend>
        {rules.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No rules: every address may connect. End an allow list with “Deny all”.</p>}
        {rules.map((r, i) => (
          <div key={r.key} className="grid items-end gap-3 sm:grid-cols-[9rem_1fr_auto]" role="group" aria-label={`Rule ${i + 1}`}>
            <Select label="Action" name={`rules.${i}.action`} defaultValue={r.value?.action ?? 'allow'} options={actions} />
            <Field label="Address, CIDR range or all" name={`rules.${i}.source`} defaultValue={r.value?.source} placeholder="10.0.0.0/8" autoComplete="off" />
            <Button size="sm" variant="ghost" onClick={() => setRules((cur) => cur.filter((x) => x.key !== r.key))} aria-label={`Remove rule ${i + 1}`}>
              Remove
            </Button>
          </div>
        ))}
        {rules.length < MAX_ROWS && (
          <Button size="sm" onClick={() => setRules((cur) => [...cur, { key: nextKey++ }])}>
            Add rule
          </Button>
        )}
      </fieldset>
    </>
  );
}
