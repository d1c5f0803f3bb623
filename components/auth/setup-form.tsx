'use client';

import { useActionState } from 'react';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, initialFormState, SubmitButton } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/modal-form';

export function SetupForm({ action }: { action: FormServerAction }) {
  const [state, dispatch] = useActionState(action, initialFormState);
  return (
    <Form action={dispatch} state={state}>
      <FormMessage fieldNames={['code', 'email', 'name', 'password']} />
      <Field
        label="Setup code"
        name="code"
        required
        autoFocus
        autoComplete="off"
        spellCheck={false}
        hint="Printed in the server log at start-up, like ABCD-1234-EF56."
      />
      <Field label="E-mail" name="email" type="email" autoComplete="email" required />
      <Field label="Name" name="name" autoComplete="name" optional />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 10 characters." />
      <SubmitButton className="w-full">Create admin and sign in</SubmitButton>
    </Form>
  );
}
