'use client';

import { useState, type ReactNode } from 'react';
import { Button, type ButtonSize, type ButtonVariant } from './button';
import { Form, FormMessage, HiddenFields, SubmitButton } from './form';
import { Modal, ModalFooter } from './modal';
import type { FormServerAction } from './form';
import { useToastedAction } from './use-toasted-action';

export interface ConfirmButtonProps {
  action: FormServerAction;
  /** Values sent with the confirmation, e.g. `{ id }`. */
  hidden?: Record<string, string>;
  children: ReactNode;
  /** Accessible name when the button text alone is ambiguous in a table row ("Delete ann@example.com"). */
  label?: string;
  title: ReactNode;
  description?: ReactNode;
  confirmLabel?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
}

/** A button that asks first, in a small modal, then runs the action; errors show in the modal. */
export function ConfirmButton({ action, hidden, children, label, title, description, confirmLabel = 'Confirm', variant = 'danger', size = 'sm' }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={variant === 'danger' ? 'ghost' : variant} size={size} onClick={() => setOpen(true)} aria-haspopup="dialog" aria-label={label} className={variant === 'danger' ? 'text-red-700 hover:bg-red-50 hover:text-red-800 dark:text-red-400 dark:hover:bg-red-950/60 dark:hover:text-red-300' : undefined}>
        {children}
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={title} description={description} size="sm">
        <ConfirmBody action={action} hidden={hidden} confirmLabel={confirmLabel} variant={variant} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function ConfirmBody({ action, hidden, confirmLabel, variant, onDone }: Pick<ConfirmButtonProps, 'action' | 'hidden' | 'confirmLabel' | 'variant'> & { onDone: () => void }) {
  const [state, dispatch] = useToastedAction(action, { onSuccess: onDone });
  return (
    <Form action={dispatch} state={state}>
      <HiddenFields values={hidden} />
      <FormMessage />
      <ModalFooter>
        {/* Cancel first in focus order: Enter on an opened confirm must not destroy anything. */}
        <Button onClick={onDone} data-autofocus>
          Cancel
        </Button>
        <SubmitButton variant={variant}>{confirmLabel}</SubmitButton>
      </ModalFooter>
    </Form>
  );
}
