'use client';

import type { StreamDto } from '@/lib/proxy/streams';
import type { Page } from '@/lib/pagination';
import { Badge } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { ModalForm, type FormServerAction } from '@/components/ui/modal-form';
import type { SelectOption } from '@/components/ui/select';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { useLiveList } from '@/components/realtime/use-live-list';
import { DeployButton } from './deploy-button';
import { StreamFields, streamFieldNames } from './stream-fields';

const statusTone = { deployed: 'green', pending: 'amber', failed: 'red' } as const;

/** The streams, live on `stream.updated`; admins edit, delete and deploy (with the task's log live). */
export function StreamTable({
  initial,
  servers,
  upstreams,
  actions,
}: {
  initial: Page<StreamDto>;
  servers: SelectOption[];
  upstreams: SelectOption[];
  actions: { update: FormServerAction; remove: FormServerAction; deploy: FormServerAction } | null;
}) {
  const items = useLiveList('/api/v1/streams?limit=500', initial, ['stream.updated']);
  const nameOf = (list: SelectOption[], id: string) => list.find((o) => o.value === id)?.label ?? id;
  if (items.length === 0) {
    return <EmptyState icon="layers" title="No streams yet" description={actions ? 'A stream forwards a TCP or UDP port of a server to an upstream pool (databases, mail, DNS, game servers).' : 'Streams on servers shared with you show here.'} />;
  }
  return (
    <Table caption="TCP and UDP streams">
      <THead>
        <Th>Port</Th>
        <Th>Server</Th>
        <Th>Upstream pool</Th>
        <Th>Status</Th>
        {actions && (
          <Th className="text-right">
            <span className="sr-only">Actions</span>
          </Th>
        )}
      </THead>
      <TBody>
        {items.map((s) => {
          const name = `${s.protocol.toUpperCase()} ${s.listenPort}`;
          return (
            <Tr key={s.id}>
              <Td className="align-top font-medium text-zinc-900 dark:text-zinc-100">{name}</Td>
              <Td className="align-top">{nameOf(servers, s.serverId)}</Td>
              <Td className="align-top">{nameOf(upstreams, s.upstreamId)}</Td>
              <Td className="align-top">
                <Badge tone={statusTone[s.status]} dot>{s.status}</Badge>
                {s.lastError && <p className="mt-1 max-w-md whitespace-pre-wrap break-words text-xs text-red-700 dark:text-red-400">{s.lastError}</p>}
              </Td>
              {actions && (
                <Td className="text-right align-top">
                  <div className="-my-1.5 flex justify-end gap-1">
                    <DeployButton action={actions.deploy} hidden={{ id: s.id }} label={`Deploy the streams of ${nameOf(servers, s.serverId)}`} title={`Deploying the streams of ${nameOf(servers, s.serverId)}`} variant="ghost">
                      Deploy
                    </DeployButton>
                    <ModalForm action={actions.update} title={`Edit ${name}`} trigger="Edit" triggerLabel={`Edit ${name}`} triggerVariant="ghost" triggerSize="sm" hidden={{ id: s.id }} fieldNames={streamFieldNames}>
                      <StreamFields stream={s} servers={servers} upstreams={upstreams} />
                    </ModalForm>
                    <ConfirmButton action={actions.remove} hidden={{ id: s.id }} label={`Delete ${name}`} title={`Delete ${name}?`} description="Its block leaves the server at the next deploy of that server's streams." confirmLabel="Delete stream">
                      Delete
                    </ConfirmButton>
                  </div>
                </Td>
              )}
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
