import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { needsSetup } from '@/lib/auth/setup';
import { SetupForm } from '@/components/auth/setup-form';
import { setupAction } from '../actions';

export const metadata: Metadata = { title: 'Set up' };

export default async function SetupPage() {
  await connection(); // per request: never prerendered at build time, when there is no database
  if (!(await needsSetup())) redirect('/login');
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Welcome to Gatehouse</h1>
      <p className="mb-6 text-sm text-zinc-600 dark:text-zinc-400">
        Create the first admin account. The setup code proves you started this server.
      </p>
      <SetupForm action={setupAction} />
    </>
  );
}
