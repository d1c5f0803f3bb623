import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';
import { controlClass } from '@/components/ui/field-parts';

export interface AuditFilterValue {
  action?: string;
  type?: string;
  user?: string;
}

/** A plain GET form: the filter lives in the URL (?action=&type=&user=), so it can be shared and reloaded. */
export function AuditFilter({ value, choices }: { value: AuditFilterValue; choices: { actions: string[]; types: string[]; users: { id: string; email: string }[] } }) {
  const active = Boolean(value.action || value.type || value.user);
  const select = (name: keyof AuditFilterValue, label: string, options: { value: string; label: string }[], all: string) => (
    <div className="min-w-0 space-y-1">
      <label htmlFor={`audit-${name}`} className="block text-xs font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      <select id={`audit-${name}`} name={name} defaultValue={value[name] ?? ''} className={`${controlClass(false)} h-9 w-full sm:w-52`}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form method="get" action="/audit" className="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
      {select('action', 'Action', choices.actions.map((a) => ({ value: a, label: a })), 'Every action')}
      {select('type', 'Target', choices.types.map((a) => ({ value: a, label: a.replaceAll('_', ' ') })), 'Every target')}
      {select('user', 'User', choices.users.map((u) => ({ value: u.id, label: u.email })), 'Everyone')}
      <button type="submit" className={buttonClass('secondary', 'md')}>
        Filter
      </button>
      {active && (
        <Link href="/audit" className="py-2 text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
          Clear filter
        </Link>
      )}
    </form>
  );
}
