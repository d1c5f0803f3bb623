'use client';

import Link from 'next/link';
import type { UpstreamDto } from '@/lib/proxy/dto';
import type { Page } from '@/lib/pagination';
import { Badge } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { ModalForm, type FormServerAction } from '@/components/ui/modal-form';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { useLiveList } from '@/components/realtime/use-live-list';
import { UpstreamFields, upstreamFieldNames } from './upstream-fields';
import { UpstreamHealth } from './upstream-health';
import { plural } from '@/lib/errors';

const methodLabel = { round_robin: 'round robin', least_conn: 'least conn', ip_hash: 'ip hash' } as const;
const healthTone = { up: 'green', down: 'red', unknown: 'neutral' } as const;

/** Upstream pools with every target, live on `upstream.updated`; admins edit and delete. */
export function UpstreamTable({ initial, actions }: { initial: Page<UpstreamDto>; actions: { update: FormServerAction; remove: FormServerAction } | null }) {
  const items = useLiveList('/api/v1/upstreams?limit=500', initial, ['upstream.updated', 'upstream.target', 'domain.updated']);
  if (items.length === 0) {
    return <EmptyState icon="layers" title="No upstream pools yet" description={actions ? 'A pool is the set of backends a domain proxies to: add one with its targets.' : 'Pools used by domains on servers shared with you show here.'} />;
  }
  return (
    <Table caption="Upstream pools">
      <THead>
        <Th>Pool</Th>
        <Th>Targets</Th>
        <Th>Keepalive</Th>
        <Th>Domains</Th>
        {actions && (
          <Th className="text-right">
            <span className="sr-only">Actions</span>
          </Th>
        )}
      </THead>
      <TBody>
        {items.map((u) => (
          <Tr key={u.id}>
            <Td className="align-top">
              <Link href={`/upstreams/${u.id}`} className="font-medium text-zinc-900 hover:underline dark:text-zinc-100">
                {u.name}
              </Link>
              <div className="text-xs text-zinc-500 dark:text-zinc-400">{methodLabel[u.method]}</div>
            </Td>
            <Td className="align-top">
              <ul className="space-y-1">
                {u.targets.map((t) => (
                  <li key={`${t.host}:${t.port}`} className="flex flex-wrap items-center gap-1.5">
                    <code className="font-mono text-xs">{t.host.includes(':') ? `[${t.host}]` : t.host}:{t.port}</code>
                    {t.weight !== 1 && <Badge>weight {t.weight}</Badge>}
                    {t.backup && <Badge tone="amber">backup</Badge>}
                    {u.healthCheck && u.healthCheck.type !== 'none' && <Badge tone={healthTone[t.health.status]} dot>{t.health.status}</Badge>}
                  </li>
                ))}
              </ul>
              <UpstreamHealth upstream={u} canCheck={actions !== null} />
            </Td>
            <Td className="align-top">{u.keepalive ?? '—'}</Td>
            <Td className="align-top">{u.domainCount}</Td>
            {actions && (
              <Td className="text-right align-top">
                <div className="-my-1.5 flex justify-end gap-1">
                  <ModalForm action={actions.update} title={`Edit ${u.name}`} trigger="Edit" triggerLabel={`Edit ${u.name}`} triggerVariant="ghost" triggerSize="sm" hidden={{ id: u.id }} size="lg" fieldNames={upstreamFieldNames}>
                    <UpstreamFields upstream={u} />
                  </ModalForm>
                  <ConfirmButton
                    action={actions.remove}
                    hidden={{ id: u.id }}
                    label={`Delete ${u.name}`}
                    title={`Delete ${u.name}?`}
                    description={u.domainCount ? `${plural(u.domainCount, 'domain')} ${u.domainCount === 1 ? 'proxies' : 'proxy'} to it: point ${u.domainCount === 1 ? 'it' : 'them'} elsewhere first.` : 'No domain uses this pool.'}
                    confirmLabel="Delete pool"
                  >
                    Delete
                  </ConfirmButton>
                </div>
              </Td>
            )}
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
