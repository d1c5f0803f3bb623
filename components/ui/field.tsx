'use client';

import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { useFieldState } from './form';
import { controlClass, describedBy, FieldError, FieldHint, FieldLabel } from './field-parts';
import { cx } from './cx';

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name'> {
  label: ReactNode;
  name: string;
  hint?: ReactNode;
  /** Overrides the error the surrounding Form has for this name. */
  error?: string;
  /** Says "(optional)" beside the label. */
  optional?: boolean;
}

/** Label + input + hint + error beside it, wired with aria-describedby and aria-invalid. */
export function Field({ label, name, hint, error, optional, id: givenId, defaultValue, className, type = 'text', ...props }: FieldProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const fs = useFieldState(name);
  const err = error ?? fs.error;
  const echoed = typeof fs.value === 'string' && type !== 'password' ? fs.value : undefined;
  return (
    <div className={cx('space-y-1.5', className)}>
      <FieldLabel htmlFor={id} optional={optional}>
        {label}
      </FieldLabel>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={echoed ?? defaultValue}
        aria-invalid={err ? true : undefined}
        aria-describedby={describedBy(id, hint, err)}
        className={cx(controlClass(Boolean(err)), 'h-10')}
        {...props}
      />
      <FieldHint id={id}>{hint}</FieldHint>
      <FieldError id={id} error={err} />
    </div>
  );
}
