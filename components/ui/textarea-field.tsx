'use client';

import { useId, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { useFieldState } from './form';
import { controlClass, describedBy, FieldError, FieldHint, FieldLabel } from './field-parts';
import { cx } from './cx';

export interface TextareaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name'> {
  label: ReactNode;
  name: string;
  hint?: ReactNode;
  optional?: boolean;
  /** Font classes of the text box, e.g. `font-mono text-xs` for keys (className styles the wrapper). */
  textClass?: string;
}

/**
 * A labelled textarea wired like Field: its error and echoed value come from the surrounding Form
 * (secrets such as a private key are never echoed, so the admin pastes those again).
 */
export function TextareaField({ label, name, hint, optional, textClass, id: givenId, defaultValue, className, rows = 3, ...props }: TextareaFieldProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const fs = useFieldState(name);
  const echoed = typeof fs.value === 'string' ? fs.value : undefined;
  return (
    <div className={cx('space-y-1.5', className)}>
      <FieldLabel htmlFor={id} optional={optional}>
        {label}
      </FieldLabel>
      <textarea
        id={id}
        name={name}
        rows={rows}
        defaultValue={echoed ?? defaultValue}
        aria-invalid={fs.error ? true : undefined}
        aria-describedby={describedBy(id, hint, fs.error)}
        spellCheck={false}
        className={cx(controlClass(Boolean(fs.error)), 'py-2', textClass)}
        {...props}
      />
      <FieldHint id={id}>{hint}</FieldHint>
      <FieldError id={id} error={fs.error} />
    </div>
  );
}
