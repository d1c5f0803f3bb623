'use client';

import type { ReactNode } from 'react';
import type { ButtonSize, ButtonVariant } from './button';
import { HiddenFields, SubmitButton } from './form';
import type { FormServerAction } from './form';
import { useToastedAction } from './use-toasted-action';

/**
 * A one-click action (no confirmation): a tiny form with hidden values. The outcome is announced
 * as a toast, an error as an alert toast.
 */
export function ActionButton({
  action,
  hidden,
  children,
  label,
  variant = 'ghost',
  size = 'sm',
}: {
  action: FormServerAction;
  hidden?: Record<string, string>;
  children: ReactNode;
  label?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
}) {
  const [, dispatch] = useToastedAction(action, { toastErrors: true });
  return (
    <form action={dispatch} className="inline">
      <HiddenFields values={hidden} />
      <SubmitButton variant={variant} size={size} aria-label={label}>
        {children}
      </SubmitButton>
    </form>
  );
}
