'use client';

import { useActionState } from 'react';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, initialFormState, SubmitButton } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/modal-form';

/** On success the action signs out and redirects to /login with a notice. */
export function PasswordForm({ action }: { action: FormServerAction }) {
  const [state, dispatch] = useActionState(action, initialFormState);
  return (
    <Form action={dispatch} state={state} className="max-w-md space-y-4">
      <FormMessage fieldNames={['currentPassword', 'newPassword']} />
      {/* Lets password managers tie the new password to the account. */}
      <input type="text" name="username" autoComplete="username" hidden readOnly />
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required hint="At least 10 characters. You will be signed out everywhere and asked to sign in again." />
      <SubmitButton>Change password</SubmitButton>
    </Form>
  );
}
