import type { Metadata } from 'next';
import { listUsers } from '@/lib/users/service';
import { ActionButton } from '@/components/ui/action-button';
import { Badge, StatusPill } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { UserFields, userFieldNames } from '@/components/users/user-fields';
import { requireAdminPage } from '../require-admin';
import { createUserAction, deleteUserAction, resetTwoFactorAction, updateUserAction } from './actions';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const actor = await requireAdminPage();
  const { items: users, nextCursor } = await listUsers(actor, { limit: 500 });
  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in. Admins change everything; users see only the servers an admin shares with them."
        actions={
          <ModalForm action={createUserAction} title="New user" trigger={<><Icon name="plus" />New user</>} triggerVariant="primary" submitLabel="Create user" fieldNames={userFieldNames}>
            <UserFields />
          </ModalForm>
        }
      />
      <Table caption="Users">
        <THead>
          <Th>User</Th>
          <Th>Role</Th>
          <Th>Status</Th>
          <Th>Two-factor</Th>
          <Th>Last sign-in</Th>
          <Th>Created</Th>
          <Th className="text-right">
            <span className="sr-only">Actions</span>
          </Th>
        </THead>
        <TBody>
          {users.map((u) => (
            <Tr key={u.id}>
              <Td>
                <div className="flex items-center gap-2">
                  <span className="font-medium text-zinc-900 dark:text-zinc-100">{u.email}</span>
                  {u.id === actor.id && <Badge tone="blue">you</Badge>}
                  {u.authProvider === 'oidc' && <Badge tone="neutral">single sign-on</Badge>}
                </div>
                {u.name && <div className="text-zinc-500 dark:text-zinc-400">{u.name}</div>}
              </Td>
              <Td>
                <Badge tone={u.role === 'admin' ? 'violet' : 'neutral'}>{u.role}</Badge>
              </Td>
              <Td>
                <StatusPill status={u.active ? 'active' : 'inactive'} />
              </Td>
              <Td>
                <Badge tone={u.twoFactorEnabled ? 'green' : 'neutral'} dot>
                  {u.twoFactorEnabled ? 'on' : 'off'}
                </Badge>
              </Td>
              <Td>
                <Time iso={u.lastLoginAt} empty="never" format="relative" />
              </Td>
              <Td>
                <Time iso={u.createdAt} format="date" />
              </Td>
              <Td className="text-right">
                <div className="flex justify-end gap-1">
                  <ModalForm
                    action={updateUserAction}
                    title={`Edit ${u.email}`}
                    trigger="Edit"
                    triggerLabel={`Edit ${u.email}`}
                    triggerVariant="ghost"
                    triggerSize="sm"
                    hidden={{ id: u.id }}
                    fieldNames={userFieldNames}
                  >
                    <UserFields user={u} />
                  </ModalForm>
                  {u.id !== actor.id && (
                    <ActionButton action={updateUserAction} hidden={{ id: u.id, active: String(!u.active) }} label={`${u.active ? 'Deactivate' : 'Activate'} ${u.email}`}>
                      {u.active ? 'Deactivate' : 'Activate'}
                    </ActionButton>
                  )}
                  {u.twoFactorEnabled && (
                    <ConfirmButton
                      action={resetTwoFactorAction}
                      hidden={{ id: u.id }}
                      label={`Reset two-factor for ${u.email}`}
                      title="Reset two-factor sign-in?"
                      description={
                        <>
                          <strong className="font-medium text-zinc-900 dark:text-zinc-100">{u.email}</strong> can then sign in with the password alone (for a lost
                          phone), and sets two-factor up again from Account. Their recovery codes stop working.
                        </>
                      }
                      confirmLabel="Reset two-factor"
                    >
                      Reset two-factor
                    </ConfirmButton>
                  )}
                  {u.id !== actor.id && (
                    <ConfirmButton
                      action={deleteUserAction}
                      hidden={{ id: u.id }}
                      label={`Delete ${u.email}`}
                      title="Delete this user?"
                      description={
                        <>
                          <strong className="font-medium text-zinc-900 dark:text-zinc-100">{u.email}</strong> will no longer be able to sign in, and their
                          API tokens stop working. This cannot be undone; deactivating keeps the account instead.
                        </>
                      }
                      confirmLabel="Delete user"
                    >
                      Delete
                    </ConfirmButton>
                  )}
                </div>
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {nextCursor && <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">Showing the first {users.length} users.</p>}
    </>
  );
}
