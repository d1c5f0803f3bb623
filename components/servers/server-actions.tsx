'use client';

import type { ServerDto } from '@/lib/servers/schemas';
import { ActionButton } from '@/components/ui/action-button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { ModalForm } from '@/components/ui/modal-form';
import { deleteServerAction, shareServerAction, testServerAction, updateServerAction } from '@/app/(console)/servers/actions';
import { useServer } from './server-detail';
import { ServerFields, serverFieldNames } from './server-fields';
import { ShareChoices, type ShareUser } from './share-choices';

/**
 * The page-level actions for one server: the connection test for admins and its operators, the
 * rest for admins only (never rendered for other users).
 */
export function ServerActions({ initial, users, admin }: { initial: ServerDto; users: ShareUser[]; admin: boolean }) {
  const { server } = useServer(initial);
  return (
    <>
      <ActionButton action={testServerAction} hidden={{ id: server.id }} variant="primary" size="md">
        Test connection
      </ActionButton>
      {admin && <AdminServerActions server={server} users={users} />}
    </>
  );
}

function AdminServerActions({ server, users }: { server: ServerDto; users: ShareUser[] }) {
  return (
    <>
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
      <ModalForm action={shareServerAction} title={`Share ${server.name}`} trigger="Share" hidden={{ id: server.id }} submitLabel="Save sharing" fieldNames={['sharedWith', 'shareLevels']}>
        <ShareChoices users={users} selected={server.shares} />
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
