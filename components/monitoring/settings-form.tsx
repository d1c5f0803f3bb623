'use client';

import { useId, type ReactNode } from 'react';
import { Form, FormMessage, SubmitButton, useFieldState } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/form';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { controlClass, describedBy, FieldError, FieldHint, FieldLabel } from '@/components/ui/field-parts';
import { cx } from '@/components/ui/cx';

/** One settings section's form: fields beside their errors, outcome as a toast. */
export function SettingsForm({ action, fieldNames, children, submitLabel = 'Save' }: { action: FormServerAction; fieldNames: string[]; children: ReactNode; submitLabel?: string }) {
  const [state, dispatch] = useToastedAction(action);
  return (
    <Form action={dispatch} state={state}>
      <FormMessage fieldNames={fieldNames} />
      {children}
      <SubmitButton>{submitLabel}</SubmitButton>
    </Form>
  );
}

/** A labelled textarea wired like Field (hint, error beside it, echoed value after a failure). */
export function TextArea({ label, name, hint, defaultValue, rows = 3, disabled }: { label: ReactNode; name: string; hint?: ReactNode; defaultValue?: string; rows?: number; disabled?: boolean }) {
  const id = useId();
  const fs = useFieldState(name);
  const echoed = typeof fs.value === 'string' ? fs.value : undefined;
  return (
    <div className="space-y-1.5">
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      <textarea
        id={id}
        name={name}
        rows={rows}
        disabled={disabled}
        defaultValue={echoed ?? defaultValue}
        aria-invalid={fs.error ? true : undefined}
        aria-describedby={describedBy(id, hint, fs.error)}
        className={cx(controlClass(Boolean(fs.error)), 'py-2 font-mono')}
      />
      <FieldHint id={id}>{hint}</FieldHint>
      <FieldError id={id} error={fs.error} />
    </div>
  );
}
