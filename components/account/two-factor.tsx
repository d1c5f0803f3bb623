'use client';

import { useActionState, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, initialFormState, SubmitButton } from '@/components/ui/form';
import { Icon } from '@/components/ui/icons';
import { Notice } from '@/components/ui/notice';
import type { FormServerAction } from '@/components/ui/modal-form';

interface Status {
  enabled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
}

interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

const codeField = (hint: string) => (
  <Field
    label="Code"
    name="code"
    required
    autoComplete="one-time-code"
    autoCapitalize="off"
    spellCheck={false}
    maxLength={64}
    className="max-w-xs"
    hint={hint}
  />
);

/**
 * Two-factor sign-in for one's own account: set up (QR code and the secret as text → a code from
 * the app → ten recovery codes shown once) or turn off with a code. `doneHref`: where "Done" goes
 * after set-up (the forced set-up page goes on to the console); otherwise the page refreshes.
 * Render it with `key={String(status.enabled)}` so that turning it on or off starts afresh.
 */
export function TwoFactorPanel({
  status,
  start,
  confirm,
  disable,
  doneHref,
}: {
  status: Status;
  start: FormServerAction;
  confirm: FormServerAction;
  disable?: FormServerAction;
  doneHref?: string;
}) {
  const router = useRouter();
  const [startState, startDispatch] = useActionState(start, initialFormState);
  const [confirmState, confirmDispatch] = useActionState(confirm, initialFormState);
  const [dismissed, setDismissed] = useState(false);
  const codes = confirmState.ok ? (confirmState.data as { recoveryCodes: string[] } | undefined)?.recoveryCodes : undefined;
  const enrolment = startState.ok ? (startState.data as Enrolment | undefined) : undefined;

  if (codes && !dismissed) {
    return (
      <div className="space-y-4">
        <Notice tone="warning" role="status" title="Two-factor sign-in is on. Save your recovery codes now">
          Each code signs you in once in place of a code from your app, if you lose it. This is the only time they are shown; Gatehouse keeps only their hashes.
        </Notice>
        <ol aria-label="Recovery codes" className="grid max-w-md grid-cols-2 gap-x-6 gap-y-1 rounded-md bg-zinc-50 p-4 font-mono text-sm ring-1 ring-zinc-200 dark:bg-zinc-950 dark:ring-zinc-800">
          {codes.map((c) => (
            <li key={c} data-recovery-code>
              {c}
            </li>
          ))}
        </ol>
        <div className="max-w-md">
          <CopyField label="All recovery codes" value={codes.join('\n')} />
        </div>
        <Button
          variant="primary"
          onClick={() => {
            setDismissed(true);
            if (doneHref) router.push(doneHref);
            else router.refresh();
          }}
        >
          I have saved them
        </Button>
      </div>
    );
  }

  // Just confirmed: on, though the page's status may not have caught up yet (the parent keys this
  // panel by status.enabled, so a change there starts it afresh).
  if (status.enabled || codes) {
    const left = status.enabled ? status.recoveryCodesLeft : (codes?.length ?? 0);
    return (
      <div className="space-y-4">
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          <Icon name="check" /> On. Signing in with your password also asks for a code from your authenticator app.{' '}
          {left} of 10 recovery codes left.
        </p>
        {left <= 2 && (
          <Notice tone="warning" title="Few recovery codes left">
            Turn two-factor sign-in off and on again for ten new ones.
          </Notice>
        )}
        {disable && <DisableForm action={disable} required={status.required} />}
      </div>
    );
  }

  if (enrolment) {
    return (
      <div className="space-y-4">
        <ol className="list-decimal space-y-4 pl-5 text-sm text-zinc-700 dark:text-zinc-300">
          <li>
            Scan this QR code with an authenticator app (for example 1Password, Bitwarden, Google Authenticator or Aegis).
            <div className="mt-3 flex flex-wrap items-start gap-6">
              {/* SVG markup from the qrcode library, rendered on the server; it holds no user text. */}
              <div
                role="img"
                aria-label="QR code for your authenticator app"
                className="size-48 shrink-0 rounded-md bg-white p-1 ring-1 ring-zinc-200 [&>svg]:size-full"
                dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
              />
              <div className="min-w-0 max-w-sm flex-1">
                <CopyField label="Setup key" value={enrolment.secret} />
                <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                  Or type this key into the app instead: time-based (TOTP), 6 digits, every 30 seconds.
                </p>
              </div>
            </div>
          </li>
          <li>
            Enter the code the app shows to turn two-factor sign-in on.
            <Form action={confirmDispatch} state={confirmState} className="mt-3 space-y-4">
              <FormMessage fieldNames={['code']} />
              {codeField('The 6-digit code from the app.')}
              <SubmitButton>Turn on two-factor sign-in</SubmitButton>
            </Form>
          </li>
        </ol>
      </div>
    );
  }

  return (
    <Form action={startDispatch} state={startState} className="space-y-4">
      <FormMessage />
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        {status.required
          ? 'Required here: an admin asks everyone who signs in with a password to use a code from an authenticator app as well.'
          : 'Off. Turn it on to ask for a code from an authenticator app as well as your password when you sign in.'}
      </p>
      <SubmitButton>Set up two-factor sign-in</SubmitButton>
    </Form>
  );
}

function DisableForm({ action, required }: { action: FormServerAction; required: boolean }) {
  const [state, dispatch] = useActionState(action, initialFormState);
  return (
    <Form action={dispatch} state={state} className="space-y-4">
      <FormMessage fieldNames={['code']} />
      {codeField(required ? 'A current code or a recovery code. Two-factor sign-in is required here: you will be asked to set it up again.' : 'A current code from your app, or a recovery code.')}
      <SubmitButton variant="danger">Turn off two-factor sign-in</SubmitButton>
    </Form>
  );
}
