'use client';

import { createContext, startTransition, useContext, useEffect, useRef, type FormHTMLAttributes, type ReactNode } from 'react';
import { useFormStatus } from 'react-dom';
import type { FormState } from '@/lib/http/action';
import { Button, type ButtonProps } from './button';
import { Icon } from './icons';
import { cx } from './cx';

export type { FormState };
export const initialFormState: FormState = { ok: false };
/** A server action bound to a form: previous state and the form's data in, the next state out. */
export type FormServerAction = (state: FormState, formData: FormData) => Promise<FormState>;

const FormStateContext = createContext<FormState | null>(null);

/**
 * A form bound to a server action's state: fields inside read their error and the echoed value
 * by name. Validation is the server's (one place for the rules), hence noValidate.
 *
 * Once hydrated it submits through onSubmit instead of React's form action, because React resets
 * a form after its action runs: a failed submit would wipe what was typed (and snap selects back).
 * Without JavaScript the plain action still works, and the echoed values refill the fields.
 * After a failure with field errors, focus moves to the first invalid field.
 */
export function Form({
  action,
  state,
  children,
  className,
  ...props
}: { action: (formData: FormData) => void; state: FormState; children: ReactNode } & Omit<FormHTMLAttributes<HTMLFormElement>, 'action'>) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.ok || !state.fields) return;
    ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state]);
  return (
    <FormStateContext value={state}>
      <form
        ref={ref}
        action={action}
        noValidate
        className={cx('space-y-4', className)}
        onSubmit={(e) => {
          e.preventDefault();
          const formData = new FormData(e.currentTarget, (e.nativeEvent as SubmitEvent).submitter);
          startTransition(() => action(formData));
        }}
        {...props}
      >
        {children}
      </form>
    </FormStateContext>
  );
}

/** Error and echoed value of one field, from the nearest Form. */
export function useFieldState(name?: string): { error?: string; value?: string | string[] } {
  const state = useContext(FormStateContext);
  if (!name || !state) return {};
  return { error: state.fields?.[name]?.join(' '), value: state.values?.[name] };
}

/**
 * The form-level message in an always-present live region, so screen readers hear it when it
 * appears. Field errors are shown beside their fields; pass `fieldNames` (the form's fields) and
 * errors for any other name (and root-level "_" ones) are listed here instead of being lost.
 */
export function FormMessage({ fieldNames }: { fieldNames?: string[] }) {
  const state = useContext(FormStateContext);
  const fields = Object.entries(state?.fields ?? {});
  // Messages of fields shown beside their control are not repeated here: the banner counts them.
  const beside = fields.filter(([k]) => k !== '_' && (!fieldNames || fieldNames.includes(k)));
  const stray = fields.filter(([k]) => !beside.some(([b]) => b === k)).flatMap(([, msgs]) => msgs);
  const show = state && !state.ok && state.message;
  const headline =
    beside.length === 0 ? state?.message : beside.length === 1 ? 'Check the field marked below.' : `Check the ${beside.length} fields marked below.`;
  return (
    // Absolute while empty: present for screen readers, but taking no room in the form.
    <div aria-live="assertive" aria-atomic="true" className="empty:absolute">
      {show && (
        <div role="alert" className="flex gap-2 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-200 dark:bg-red-950/50 dark:text-red-200 dark:ring-red-900">
          <Icon name="alert" className="mt-0.5 size-4 shrink-0" />
          <div>
            <p>{headline}</p>
            {stray.length > 0 && (
              <ul className="mt-1 list-disc pl-4">
                {stray.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

/** A submit button that shows the form's pending state. */
export function SubmitButton({ children, variant = 'primary', ...props }: ButtonProps) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant={variant} pending={pending} {...props}>
      {children}
    </Button>
  );
}

/** Hidden inputs for ids and fixed values. */
export function HiddenFields({ values }: { values?: Record<string, string> }) {
  return (
    <>
      {Object.entries(values ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
    </>
  );
}
