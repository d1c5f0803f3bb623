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
      <Field
        label="Two-factor code"
        name="code"
        optional
        autoComplete="one-time-code"
        inputMode="text"
        autoCapitalize="off"
        spellCheck={false}
        maxLength={64}
        hint="Only if two-factor sign-in is on for your account: the 6-digit code from your authenticator app, or a recovery code."
      />
      <SubmitButton className="w-full">Sign in</SubmitButton>
    </Form>
  );
}
