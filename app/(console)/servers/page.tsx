import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listServers } from '@/lib/servers/store';
import { listUsers } from '@/lib/users/service';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { ServerFields, serverFieldNames } from '@/components/servers/server-fields';
import { ServerTable } from '@/components/servers/server-table';
import { createServerAction } from './actions';

export const metadata: Metadata = { title: 'Servers' };

export default async function ServersPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const [servers, users, { deleted }] = await Promise.all([
    listServers(actor, { limit: 500 }),
    admin ? listUsers(actor, { limit: 500 }) : Promise.resolve(null),
    searchParams,
  ]);
  return (
    <>
      <PageHeader
        title="Servers"
        description={admin ? 'The machines Gatehouse manages over SSH: their Nginx, monitoring and who may see them.' : 'The servers an admin shared with you (read-only).'}
        actions={
          admin && (
            <ModalForm
              action={createServerAction}
              title="Add a server"
              description="Gatehouse signs in over SSH. Secrets are stored encrypted and never shown again."
              trigger={
                <>
                  <Icon name="plus" />
                  Add server
                </>
              }
              triggerVariant="primary"
              submitLabel="Add server"
              size="lg"
              fieldNames={serverFieldNames}
            >
              <ServerFields users={users?.items} />
            </ModalForm>
          )
        }
      />
      {deleted && (
        <div className="mb-4">
          <Notice tone="success" role="status">
            The server was deleted, with its tasks, metrics and alerts.
          </Notice>
        </div>
      )}
      <ServerTable initial={servers} admin={admin} />
    </>
  );
}
