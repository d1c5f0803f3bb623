'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthError, CredentialsSignin } from 'next-auth';
import { OIDC_PROVIDER_ID, signIn } from '@/lib/auth/next-auth';
import { recordProviderError } from '@/lib/auth/oidc';
import { oidcConfig } from '@/lib/config';
import { addressOf } from '@/lib/auth/address';
import { completeSetup, needsSetup, setupInput } from '@/lib/auth/setup';
import { echoValues, failureState, formDataToInput, type FormState } from '@/lib/http/action';

const signInMessages: Record<string, string> = {
  invalid: 'E-mail or password is not right.',
  rate_limited: 'Too many attempts. Wait a few minutes, then try again.',
  code_required: 'Two-factor sign-in is on for this account: enter the code from your authenticator app (or a recovery code) with your password.',
  bad_code: 'The two-factor code is not right. Use the current code from your app, or an unused recovery code.',
  password_off: 'Password sign-in is turned off here: use single sign-on.',
};
const codeFailures = new Set(['code_required', 'bad_code']);

/** Signs in with e-mail and password; on success next-auth redirects (that throw passes through). */
export async function loginAction(_prev: FormState, formData: FormData): Promise<FormState> {
  const email = String(formData.get('email') ?? '');
  const password = String(formData.get('password') ?? '');
  const code = String(formData.get('code') ?? '');
  try {
    await signIn('credentials', { email, password, code, redirectTo: '/' });
    return { ok: true };
  } catch (err) {
    if (err instanceof AuthError) {
      const reason = err instanceof CredentialsSignin ? err.code : '';
      const message = signInMessages[reason] ?? 'Sign-in failed. Try again.';
      // A code problem is shown beside the code field (the password was right).
      return { ok: false, message, ...(codeFailures.has(reason) && { fields: { code: [message] } }), values: { email }, at: Date.now() };
    }
    throw err;
  }
}

/**
 * The single sign-on button: next-auth redirects to the provider (that throw passes through).
 * A provider that cannot be reached lands back on /login with one plain sentence.
 */
export async function oidcSignInAction(): Promise<void> {
  if (!oidcConfig()) redirect('/login');
  try {
    await signIn(OIDC_PROVIDER_ID, { redirectTo: '/' });
  } catch (err) {
    if (err instanceof AuthError) {
      await recordProviderError(addressOf(await headers())).catch(() => undefined);
      redirect('/login?error=oidc_provider_error');
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
