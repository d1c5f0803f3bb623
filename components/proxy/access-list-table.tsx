'use client';

import type { AccessListDto } from '@/lib/proxy/dto';
import type { Page } from '@/lib/pagination';
import { Badge } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { ModalForm, type FormServerAction } from '@/components/ui/modal-form';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { useLiveList } from '@/components/realtime/use-live-list';
import { AccessListFields, accessListFieldNames } from './access-list-fields';

/** Access lists, live on `access_list.updated`; admins edit and delete. */
export function AccessListTable({ initial, actions }: { initial: Page<AccessListDto>; actions: { update: FormServerAction; remove: FormServerAction } | null }) {
  const items = useLiveList('/api/v1/access-lists?limit=500', initial, ['access_list.updated', 'domain.updated']);
  if (items.length === 0) {
    return (
      <EmptyState
        icon="key"
        title="No access lists yet"
        description={actions ? 'An access list asks for a password, allows or denies addresses, or both. Create one, then choose it on a domain or a location.' : 'Access lists used by domains on servers shared with you show here.'}
      />
    );
  }
  return (
    <Table caption="Access lists">
      <THead>
        <Th>Name</Th>
        <Th>Users</Th>
        <Th>Rules</Th>
        <Th>Domains</Th>
        {actions && (
          <Th className="text-right">
            <span className="sr-only">Actions</span>
          </Th>
        )}
      </THead>
      <TBody>
        {items.map((a) => (
          <Tr key={a.id}>
            <Td className="align-top">
              <div className="font-medium text-zinc-900 dark:text-zinc-100">{a.name}</div>
              <div className="text-xs text-zinc-500 dark:text-zinc-400">satisfy {a.satisfy}</div>
            </Td>
            <Td className="align-top">{a.users.length ? a.users.map((u) => u.username).join(', ') : '—'}</Td>
            <Td className="align-top">
              {a.rules.length ? (
                <ul className="space-y-1">
                  {a.rules.map((r, i) => (
                    <li key={i} className="flex items-center gap-1.5">
                      <Badge tone={r.action === 'allow' ? 'green' : 'red'}>{r.action}</Badge>
                      <code className="font-mono text-xs">{r.source}</code>
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              )}
            </Td>
            <Td className="align-top">{a.domainCount}</Td>
            {actions && (
              <Td className="text-right align-top">
                <div className="-my-1.5 flex justify-end gap-1">
                  <ModalForm action={actions.update} title={`Edit ${a.name}`} trigger="Edit" triggerLabel={`Edit ${a.name}`} triggerVariant="ghost" triggerSize="sm" hidden={{ id: a.id }} size="lg" fieldNames={accessListFieldNames}>
                    <AccessListFields list={a} />
                  </ModalForm>
                  <ConfirmButton
                    action={actions.remove}
                    hidden={{ id: a.id }}
                    label={`Delete ${a.name}`}
                    title={`Delete ${a.name}?`}
                    description={a.domainCount ? `${a.domainCount} domain(s) use it: detach it from them first.` : 'No domain uses this access list.'}
                    confirmLabel="Delete access list"
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
