/**
 * What /login says after a single sign-on came back refused or failed: one plain sentence per
 * reason (never the provider's own error text, a stack or a token). next-auth's own error codes
 * (`?error=Configuration`, `OAuthCallbackError`...) all read as the provider error.
 */
const MESSAGES: Record<string, string> = {
  CredentialsSignin: 'Sign-in failed. Check your e-mail and password, and try again.',
  oidc_not_in_group: 'Your account at the identity provider is not in a group allowed to use Gatehouse. Ask an admin to add you.',
  oidc_deactivated: 'This Gatehouse account is deactivated. Ask an admin to turn it back on.',
  oidc_unknown_account: 'There is no Gatehouse account for you yet, and single sign-on does not create one here. Ask an admin.',
  oidc_provider_error: 'Single sign-on did not work: the identity provider could not be reached or its answer was not accepted. Try again, or sign in with your password.',
};

export function signInErrorMessage(code: string | undefined, passwordSignIn: boolean): string | null {
  if (!code) return null;
  const text = MESSAGES[code] ?? MESSAGES.oidc_provider_error;
  return passwordSignIn ? text : text.replace(', or sign in with your password', '');
}
