'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthError, CredentialsSignin } from 'next-auth';
import { signIn } from '@/lib/auth/next-auth';
import { addressOf } from '@/lib/auth/address';
import { completeSetup, needsSetup, setupInput } from '@/lib/auth/setup';
import { echoValues, failureState, formDataToInput, type FormState } from '@/lib/http/action';

const signInMessages: Record<string, string> = {
  invalid: 'E-mail or password is not right.',
  rate_limited: 'Too many attempts. Wait a few minutes, then try again.',
};

/** Signs in with e-mail and password; on success next-auth redirects (that throw passes through). */
export async function loginAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const email = String(formData.get('email') ?? '');
  const password = String(formData.get('password') ?? '');
  try {
    await signIn('credentials', { email, password, redirectTo: '/' });
    return { ok: true };
  } catch (err) {
    if (err instanceof AuthError) {
      const code = err instanceof CredentialsSignin ? err.code : '';
      return { ok: false, message: signInMessages[code] ?? 'Sign-in failed. Try again.', values: { email }, at: Date.now() };
    }
    throw err;
  }
}

/** First admin: only while no user exists, and only with the code the server printed. */
export async function setupAction(_prev: FormState, formData: FormData): Promise<FormState> {
  if (!(await needsSetup())) redirect('/login');
  const input = formDataToInput(setupInput, formData);
  try {
    await completeSetup(input, addressOf(await headers()));
  } catch (err) {
    return failureState(err, formData);
  }
  try {
    await signIn('credentials', { email: String(input.email), password: String(input.password), redirectTo: '/' });
  } catch (err) {
    if (err instanceof AuthError) redirect('/login');
    throw err;
  }
  return { ok: true, values: echoValues(formData) };
}
