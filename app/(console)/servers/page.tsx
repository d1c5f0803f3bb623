import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listServers, serverTagsInUse } from '@/lib/servers/store';
import { tagsFromSearch } from '@/components/ui/tag-chips';
import { listUsers } from '@/lib/users/service';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { ServerFields, serverFieldNames } from '@/components/servers/server-fields';
import { ServerTable } from '@/components/servers/server-table';
import { bulkServersAction, createServerAction } from './actions';

export const metadata: Metadata = { title: 'Servers' };

export default async function ServersPage({ searchParams }: { searchParams: Promise<{ deleted?: string; tag?: string | string[] }> }) {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const { deleted, tag } = await searchParams;
  // The tag filter lives in the URL (?tag=a&tag=b), so a filtered view can be bookmarked.
  const tags = tagsFromSearch(tag).filter((t) => /^[a-z0-9][a-z0-9-]{0,31}$/.test(t));
  const [servers, users, allTags] = await Promise.all([
    listServers(actor, { limit: 500, tag: tags }),
    admin ? listUsers(actor, { limit: 500 }) : Promise.resolve(null),
    serverTagsInUse(actor),
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
      <ServerTable initial={servers} admin={admin} tags={tags} allTags={allTags} users={users?.items} bulkAction={admin ? bulkServersAction : undefined} />
    </>
  );
}
