'use client';

import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { useFieldState } from './form';
import { describedBy, FieldError, FieldHint } from './field-parts';
import { cx } from './cx';

export interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'type'> {
  label: ReactNode;
  name: string;
  hint?: ReactNode;
  error?: string;
}

/**
 * A checkbox that always submits a value: a hidden "false" precedes it, so an unchecked box
 * means false (formAction reads any "on" as true) rather than "field absent".
 */
export function Checkbox({ label, name, hint, error, id: givenId, defaultChecked, className, ...props }: CheckboxProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const fs = useFieldState(name);
  const err = error ?? fs.error;
  const echoed = fs.value === undefined ? undefined : [fs.value].flat().includes('on');
  return (
    <div className={cx('space-y-1', className)}>
      <div className="flex items-start gap-3">
        <input type="hidden" name={name} value="false" />
        <input
          id={id}
          name={name}
          type="checkbox"
          defaultChecked={echoed ?? defaultChecked}
          aria-invalid={err ? true : undefined}
          aria-describedby={describedBy(id, hint, err)}
          className="mt-0.5 size-4 shrink-0 rounded border-zinc-300 accent-indigo-600 dark:border-zinc-600"
          {...props}
        />
        <label htmlFor={id} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {label}
        </label>
      </div>
      <div className="pl-7">
        <FieldHint id={id}>{hint}</FieldHint>
        <FieldError id={id} error={err} />
      </div>
    </div>
  );
}
