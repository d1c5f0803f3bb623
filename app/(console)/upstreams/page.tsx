import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listUpstreams } from '@/lib/proxy/upstreams';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { PageHeader } from '@/components/ui/page-header';
import { UpstreamFields, upstreamFieldNames } from '@/components/proxy/upstream-fields';
import { UpstreamTable } from '@/components/proxy/upstream-table';
import { createUpstreamAction, deleteUpstreamAction, updateUpstreamAction } from './actions';

export const metadata: Metadata = { title: 'Upstreams' };

export default async function UpstreamsPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const upstreams = await listUpstreams(actor, { limit: 500 });
  return (
    <>
      <PageHeader
        title="Upstreams"
        description={admin ? 'Pools of backends that domains proxy to. Every target is used; backups only while the others are down.' : 'Pools used by domains on servers shared with you (read-only).'}
        actions={
          admin && (
            <ModalForm action={createUpstreamAction} title="New upstream pool" trigger={<><Icon name="plus" />New pool</>} triggerVariant="primary" submitLabel="Create pool" size="lg" fieldNames={upstreamFieldNames}>
              <UpstreamFields />
            </ModalForm>
          )
        }
      />
      <UpstreamTable initial={upstreams} actions={admin ? { update: updateUpstreamAction, remove: deleteUpstreamAction } : null} />
    </>
  );
}
