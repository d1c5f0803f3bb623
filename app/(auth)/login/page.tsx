import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { currentActor } from '@/lib/auth/session';
import { needsSetup } from '@/lib/auth/setup';
import { signInErrorMessage } from '@/lib/auth/sign-in-messages';
import { oidcConfig, passwordSignInEnabled } from '@/lib/config';
import { LoginForm } from '@/components/auth/login-form';
import { Notice } from '@/components/ui/notice';
import { Button } from '@/components/ui/button';
import { loginAction, oidcSignInAction } from '../actions';

export const metadata: Metadata = { title: 'Sign in' };

const notices: Record<string, string> = {
  'password-changed': 'Password changed, sign in again.',
  'session-ended': 'Your sign-in details changed, sign in again.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ notice?: string; error?: string }> }) {
  await connection(); // per request: never prerendered at build time, when there is no database
  if (await needsSetup()) redirect('/setup');
  if (await currentActor()) redirect('/');
  const { notice, error } = await searchParams;
  const text = notice ? notices[notice] : undefined;
  const oidc = oidcConfig();
  const password = passwordSignInEnabled();
  const failure = signInErrorMessage(error, password);
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Sign in</h1>
      <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">to your Gatehouse console.</p>
      {text && (
        <div className="mb-4">
          <Notice tone="success" role="status">
            {text}
          </Notice>
        </div>
      )}
      {failure && (
        <div className="mb-4">
          <Notice tone="error" role="alert">
            {failure}
          </Notice>
        </div>
      )}
      {oidc && (
        <form action={oidcSignInAction} className={password ? 'mb-6' : undefined}>
          <Button type="submit" variant={password ? 'secondary' : 'primary'} className="w-full">
            {oidc.name}
          </Button>
        </form>
      )}
      {oidc && password && (
        <p className="mb-6 text-center text-xs tracking-wide text-zinc-500 uppercase dark:text-zinc-400">or with your password</p>
      )}
      {password && <LoginForm action={loginAction} />}
    </>
  );
}
