'use client';

import { useActionState } from 'react';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, initialFormState, SubmitButton } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/modal-form';

export function LoginForm({ action }: { action: FormServerAction }) {
  const [state, dispatch] = useActionState(action, initialFormState);
  return (
    <Form action={dispatch} state={state}>
      <FormMessage />
      <Field label="E-mail" name="email" type="email" autoComplete="username" required autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <SubmitButton className="w-full">Sign in</SubmitButton>
    </Form>
  );
}
