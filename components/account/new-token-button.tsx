'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { CopyField } from '@/components/ui/copy-field';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, initialFormState, SubmitButton } from '@/components/ui/form';
import { Icon } from '@/components/ui/icons';
import { Modal, ModalFooter } from '@/components/ui/modal';
import { Notice } from '@/components/ui/notice';
import type { FormServerAction } from '@/components/ui/modal-form';

/** Creates a token and shows it once, in the modal; closing the modal drops it from the page. */
export function NewTokenButton({ action }: { action: FormServerAction }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="primary" size="sm" onClick={() => setOpen(true)} aria-haspopup="dialog">
        <Icon name="plus" />
        New token
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title="New API token" description="For scripts and the CLI: send it as Authorization: Bearer <token>. It acts with your role.">
        <TokenBody action={action} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function TokenBody({ action, onDone }: { action: FormServerAction; onDone: () => void }) {
  const [state, dispatch] = useActionState(action, initialFormState);
  const created = state.ok ? (state.data as { name: string; token: string } | undefined) : undefined;
  if (created) {
    return (
      <div className="space-y-4">
        <Notice tone="warning" role="status" title="Copy the token now">
          This is the only time it is shown. Gatehouse keeps only a hash of it; if you lose it, revoke it and create a new one.
        </Notice>
        <CopyField label={`Token “${created.name}”`} value={created.token} />
        <ModalFooter>
          <Button variant="primary" onClick={onDone} data-autofocus>
            Done
          </Button>
        </ModalFooter>
      </div>
    );
  }
  return (
    <Form action={dispatch} state={state}>
      <FormMessage fieldNames={['name', 'expiresDays']} />
      <Field label="Name" name="name" required autoComplete="off" hint="What uses it, e.g. “backup script”." />
      <Field label="Expires after (days)" name="expiresDays" type="number" inputMode="numeric" min={1} max={3650} optional hint="Leave empty for a token that does not expire." />
      <ModalFooter>
        <Button onClick={onDone}>Cancel</Button>
        <SubmitButton>Create token</SubmitButton>
      </ModalFooter>
    </Form>
  );
}
