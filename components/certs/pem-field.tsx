'use client';

import { useId, type ReactNode } from 'react';
import { useFieldState } from '@/components/ui/form';
import { controlClass, describedBy, FieldError, FieldHint, FieldLabel } from '@/components/ui/field-parts';
import { cx } from '@/components/ui/cx';

/**
 * A textarea for PEM text, with its error beside it. The key field is never refilled after a
 * failed submit (lib/http/action.ts does not echo secrets), so the admin pastes it again.
 */
export function PemField({ label, name, hint, optional, placeholder, rows = 6 }: { label: ReactNode; name: string; hint?: ReactNode; optional?: boolean; placeholder?: string; rows?: number }) {
  const id = useId();
  const fs = useFieldState(name);
  const echoed = typeof fs.value === 'string' ? fs.value : undefined;
  return (
    <div className="space-y-1.5">
      <FieldLabel htmlFor={id} optional={optional}>
        {label}
      </FieldLabel>
      <textarea
        id={id}
        name={name}
        rows={rows}
        defaultValue={echoed}
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        aria-invalid={fs.error ? true : undefined}
        aria-describedby={describedBy(id, hint, fs.error)}
        className={cx(controlClass(Boolean(fs.error)), 'py-2 font-mono text-xs leading-5')}
      />
      <FieldHint id={id}>{hint}</FieldHint>
      <FieldError id={id} error={fs.error} />
    </div>
  );
}
