import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listStreams } from '@/lib/proxy/streams';
import { proxyChoices } from '@/lib/proxy/console-data';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { PageHeader } from '@/components/ui/page-header';
import { StreamFields, streamFieldNames } from '@/components/proxy/stream-fields';
import { StreamTable } from '@/components/proxy/stream-table';
import { createStreamAction, deleteStreamAction, deployStreamAction, updateStreamAction } from './actions';

export const metadata: Metadata = { title: 'Streams' };

export default async function StreamsPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const [streams, choices] = await Promise.all([listStreams(actor, { limit: 500 }), proxyChoices(actor)]);
  const servers = choices.servers.map((s) => ({ value: s.id, label: s.name }));
  const upstreams = choices.upstreams.map((u) => ({ value: u.id, label: u.name }));
  const canCreate = admin && servers.length > 0 && upstreams.length > 0;
  return (
    <>
      <PageHeader
        title="Streams"
        description={admin ? 'TCP and UDP ports of a server forwarded to an upstream pool by Nginx (its stream module). Changes go live when you deploy.' : 'Streams on the servers shared with you (read-only).'}
        actions={
          canCreate && (
            <ModalForm action={createStreamAction} title="New stream" trigger={<><Icon name="plus" />New stream</>} triggerVariant="primary" submitLabel="Add stream" fieldNames={streamFieldNames}>
              <StreamFields servers={servers} upstreams={upstreams} />
            </ModalForm>
          )
        }
      />
      <StreamTable initial={streams} servers={servers} upstreams={upstreams} actions={admin ? { update: updateStreamAction, remove: deleteStreamAction, deploy: deployStreamAction } : null} />
    </>
  );
}
