'use client';

import { useState, type ReactNode } from 'react';
import type { FormState } from '@/lib/http/action';
import { Button, type ButtonSize, type ButtonVariant } from './button';
import { Form, FormMessage, HiddenFields, SubmitButton, type FormServerAction } from './form';

export type { FormServerAction };
import { Modal, ModalFooter } from './modal';
import { useToastedAction } from './use-toasted-action';


export interface ModalFormProps {
  /** The server action, usually made with formAction(). */
  action: FormServerAction;
  title: ReactNode;
  description?: ReactNode;
  /** What the opening button says; give triggerLabel too when this is only an icon or a short word. */
  trigger: ReactNode;
  triggerLabel?: string;
  triggerVariant?: ButtonVariant;
  triggerSize?: ButtonSize;
  submitLabel?: string;
  /** Fixed values sent along, e.g. `{ id: user.id }`. */
  hidden?: Record<string, string>;
  /** The fields (Field, Select, Checkbox...); they read their errors from the form state. None for a plain confirmation. */
  children?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** The names of the fields shown, so errors for any other name are listed at the top. */
  fieldNames?: string[];
  /** After a success, show this in the modal instead of closing it (e.g. the task the action started); null closes. */
  then?: (state: FormState, close: () => void) => ReactNode;
}

/**
 * A button that opens a modal with a form. On success the modal closes (or shows `then`) and the
 * action's message is shown as a toast; on failure errors appear beside their fields and the modal stays open.
 * Closing discards the form, so it opens fresh every time.
 */
export function ModalForm({ trigger, triggerLabel, triggerVariant = 'secondary', triggerSize = 'md', title, description, size, ...form }: ModalFormProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={triggerVariant} size={triggerSize} onClick={() => setOpen(true)} aria-haspopup="dialog" aria-label={triggerLabel}>
        {trigger}
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={title} description={description} size={size}>
        <ModalFormBody {...form} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function ModalFormBody({
  action,
  submitLabel = 'Save',
  hidden,
  children,
  fieldNames,
  then,
  onDone,
}: Pick<ModalFormProps, 'action' | 'submitLabel' | 'hidden' | 'children' | 'fieldNames' | 'then'> & { onDone: () => void }) {
  const [after, setAfter] = useState<ReactNode>(null);
  const [state, dispatch] = useToastedAction(action, {
    onSuccess: (s) => {
      const next = then?.(s, onDone);
      if (next) setAfter(next);
      else onDone();
    },
  });
  if (after) return after;
  return (
    <Form action={dispatch} state={state}>
      <HiddenFields values={hidden} />
      <FormMessage fieldNames={fieldNames} />
      {children}
      <ModalFooter>
        <Button onClick={onDone}>Cancel</Button>
        <SubmitButton>{submitLabel}</SubmitButton>
      </ModalFooter>
    </Form>
  );
}
