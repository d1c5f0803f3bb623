'use client';

import type { ServerDto } from '@/lib/servers/schemas';
import { ActionButton } from '@/components/ui/action-button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { ModalForm } from '@/components/ui/modal-form';
import { deleteServerAction, shareServerAction, testServerAction, updateServerAction } from '@/app/(console)/servers/actions';
import { useServer } from './server-detail';
import { ServerFields, serverFieldNames } from './server-fields';
import { ShareChoices, type ShareUser } from './share-choices';

/** The page-level admin actions for one server (never rendered for users). */
export function ServerActions({ initial, users }: { initial: ServerDto; users: ShareUser[] }) {
  const { server } = useServer(initial);
  return (
    <>
      <ActionButton action={testServerAction} hidden={{ id: server.id }} variant="primary" size="md">
        Test connection
      </ActionButton>
      <ModalForm
        action={updateServerAction}
        title={`Edit ${server.name}`}
        trigger="Edit"
        size="lg"
        hidden={{ id: server.id }}
        fieldNames={serverFieldNames}
        // Re-opened fresh with the latest values after a live update.
        key={server.updatedAt}
      >
        <ServerFields server={server} />
      </ModalForm>
      <ModalForm action={shareServerAction} title={`Share ${server.name}`} trigger="Share" hidden={{ id: server.id }} submitLabel="Save sharing" fieldNames={['sharedWith']}>
        <ShareChoices users={users} selected={server.sharedWith} />
      </ModalForm>
      <ConfirmButton
        action={deleteServerAction}
        hidden={{ id: server.id }}
        label={`Delete ${server.name}`}
        title="Delete this server?"
        description={
          <>
            <strong className="font-medium text-zinc-900 dark:text-zinc-100">{server.name}</strong> leaves Gatehouse with its tasks, metrics, alerts and
            shares. Nothing on the server itself is changed. A server that still has domains cannot be deleted: move or delete them first.
          </>
        }
        confirmLabel="Delete server"
        size="md"
      >
        Delete
      </ConfirmButton>
    </>
  );
}
