'use client';

import type { ReactNode } from 'react';
import { Form, FormMessage, SubmitButton } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/form';
import { useToastedAction } from '@/components/ui/use-toasted-action';

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
