'use client';

import { useId, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useFieldState } from './form';
import { controlClass, describedBy, FieldError, FieldHint, FieldLabel } from './field-parts';
import { cx } from './cx';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'> {
  label: ReactNode;
  name: string;
  options: SelectOption[];
  hint?: ReactNode;
  error?: string;
}

export function Select({ label, name, options, hint, error, id: givenId, defaultValue, className, ...props }: SelectProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const fs = useFieldState(name);
  const err = error ?? fs.error;
  const echoed = typeof fs.value === 'string' ? fs.value : undefined;
  return (
    <div className={cx('space-y-1.5', className)}>
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      <select
        id={id}
        name={name}
        defaultValue={echoed ?? defaultValue}
        aria-invalid={err ? true : undefined}
        aria-describedby={describedBy(id, hint, err)}
        className={cx(controlClass(Boolean(err)), 'h-10 pr-8')}
        {...props}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldHint id={id}>{hint}</FieldHint>
      <FieldError id={id} error={err} />
    </div>
  );
}
