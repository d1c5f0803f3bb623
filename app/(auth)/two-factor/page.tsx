import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { currentActor } from '@/lib/auth/session';
import { getTwoFactorStatus } from '@/lib/users/two-factor';
import { TwoFactorPanel } from '@/components/account/two-factor';
import { confirmTwoFactorAction, startTwoFactorAction } from '../../(console)/account/two-factor-actions';
import { signOutAction } from '../../(console)/actions';

export const metadata: Metadata = { title: 'Set up two-factor sign-in' };

/**
 * Where a password session lands while settings.security.require2fa is on and its user has no
 * two-factor sign-in yet: set it up here, then go on to the console. Nothing else is reachable.
 */
export default async function TwoFactorSetupPage() {
  await connection();
  const actor = await currentActor();
  if (!actor) redirect('/login');
  if (!actor.mustEnrolTwoFactor) redirect('/');
  const status = await getTwoFactorStatus(actor);
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Set up two-factor sign-in</h1>
      <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">
        An admin requires a code from an authenticator app at sign-in, as well as your password. Set it up to continue to the console.
      </p>
      <TwoFactorPanel key={String(status.enabled)} status={status} start={startTwoFactorAction} confirm={confirmTwoFactorAction} doneHref="/" />
      <form action={signOutAction} className="mt-6 border-t border-zinc-200 pt-4 text-sm dark:border-zinc-800">
        <button type="submit" className="text-zinc-600 underline underline-offset-2 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100">
          Sign out instead
        </button>
      </form>
    </>
  );
}
