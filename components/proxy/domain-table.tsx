'use client';

import Link from 'next/link';
import type { DomainDto } from '@/lib/proxy/dto';
import type { Page } from '@/lib/pagination';
import { Badge, StatusPill } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { ListFilter, useListFilter } from '@/components/ui/list-filter';
import { ModalForm, type FormServerAction } from '@/components/ui/modal-form';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { useLiveList } from '@/components/realtime/use-live-list';
import { TagChips, TagFilter, tagQueryString } from '@/components/ui/tag-chips';
import { DeployButton } from './deploy-button';
import { DomainFields, canOperate, domainFieldNames, type DomainChoices } from './domain-fields';

export const DOMAINS_KEY = '/api/v1/domains?limit=500';

export interface DomainActions {
  update: FormServerAction;
  remove: FormServerAction;
  deploy: FormServerAction;
}

/**
 * Every domain the signed-in user may see, live: `domain.updated` (created, changed, deployed,
 * failed, drifted) refetches the list; nothing polls. Admins get edit, deploy and delete on every
 * row, an operator on the rows of the servers they operate (`choices.operable`).
 */
export function DomainTable({
  initial,
  choices,
  actions,
  tags = [],
  allTags = [],
}: {
  initial: Page<DomainDto>;
  choices: DomainChoices;
  actions: DomainActions | null;
  /** The page's `?tag=` filter (every tag must match); `allTags` offers the others. */
  tags?: string[];
  allTags?: string[];
}) {
  const query = tagQueryString(tags);
  const all = useLiveList(query ? `${DOMAINS_KEY}&${query.slice(1)}` : DOMAINS_KEY, initial, ['domain.updated']);
  const filterBar = <TagFilter all={allTags} active={tags} basePath="/domains" />;
  const serverName = new Map(choices.servers.map((s) => [s.id, s.name]));
  const upstreamName = new Map(choices.upstreams.map((u) => [u.id, u.name]));
  const { filter, setFilter, items } = useListFilter(all, (d) => [d.fqdn, ...d.aliases, serverName.get(d.serverId) ?? '', d.status]);

  if (all.length === 0 && tags.length) {
    return (
      <div className="space-y-3">
        {filterBar}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No domain carries {tags.length === 1 ? 'the tag' : 'all of the tags'} {tags.join(', ')}.</p>
      </div>
    );
  }
  if (all.length === 0) {
    return (
      <EmptyState
        icon="globe"
        title="No domains yet"
        description={actions ? 'Add a domain: a name on one of your servers, proxied to an upstream pool. Deploying writes its Nginx file.' : 'Domains on servers shared with you will show here.'}
      />
    );
  }
  return (
    <div className="space-y-3">
      {filterBar}
      {all.length > 5 && <ListFilter id="domain-filter" label="Filter domains" placeholder="Filter by name, server or status" value={filter} onChange={setFilter} />}
      <Table caption="Domains" cards>
        <THead>
          <Th>Domain</Th>
          <Th>Server</Th>
          <Th>Upstream</Th>
          <Th>HTTPS</Th>
          <Th>Status</Th>
          <Th>Deployed</Th>
          {actions && (
            <Th className="text-right">
              <span className="sr-only">Actions</span>
            </Th>
          )}
        </THead>
        <TBody>
          {items.map((d) => (
            <Tr key={d.id}>
              <Td>
                <Link href={`/domains/${d.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                  {d.fqdn}
                </Link>
                {d.aliases.length > 0 && <div className="max-w-64 truncate text-xs text-zinc-500 dark:text-zinc-400">{d.aliases.join(', ')}</div>}
                <TagChips tags={d.tags} href="/domains" className="mt-1" />
              </Td>
              <Td label="Server">{serverName.get(d.serverId) ?? '—'}</Td>
              <Td label="Upstream">{d.redirect ? `→ ${d.redirect.code}` : (upstreamName.get(d.upstreamId ?? '') ?? '—')}</Td>
              <Td label="HTTPS">
                {d.ssl.mode === 'none' ? <span className="text-zinc-500">—</span> : <Badge tone="blue">{d.ssl.mode === 'acme' ? 'ACME' : 'custom'}</Badge>}
                {d.websocket && <Badge className="ml-1">WS</Badge>}
              </Td>
              <Td label="Status">
                <span title={d.lastError ?? undefined}>
                  <StatusPill status={d.status} />
                </span>
              </Td>
              <Td label="Deployed">
                <Time iso={d.deployedAt} empty="never" format="relative" />
              </Td>
              {actions && (
                <Td className="text-right">
                  {canOperate(choices, d.serverId) && (
                  <div className="flex justify-end gap-1">
                    <DeployButton action={actions.deploy} hidden={{ id: d.id }} label={`Deploy ${d.fqdn}`} title={`Deploying ${d.fqdn}`} variant="ghost">
                      Deploy
                    </DeployButton>
                    <ModalForm
                      action={actions.update}
                      title={`Edit ${d.fqdn}`}
                      trigger="Edit"
                      triggerLabel={`Edit ${d.fqdn}`}
                      triggerVariant="ghost"
                      triggerSize="sm"
                      hidden={{ id: d.id }}
                      size="lg"
                      fieldNames={domainFieldNames}
                      submitLabel="Save"
                    >
                      <DomainFields domain={d} choices={choices} />
                    </ModalForm>
                    <ConfirmButton
                      action={actions.remove}
                      hidden={{ id: d.id }}
                      label={`Delete ${d.fqdn}`}
                      title={`Delete ${d.fqdn}?`}
                      description="Its Nginx file is removed from the server at that server's next deploy."
                      confirmLabel="Delete domain"
                    >
                      Delete
                    </ConfirmButton>
                  </div>
                  )}
                </Td>
              )}
            </Tr>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
