'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { FormServerAction } from '@/components/ui/form';
import { TagChips, TagFilter, tagQueryString } from '@/components/ui/tag-chips';
import { BulkBar } from './bulk-bar';
import type { ShareUser } from './share-choices';
import type { ServerDto } from '@/lib/servers/schemas';
import type { Page } from '@/lib/pagination';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { ListFilter, useListFilter } from '@/components/ui/list-filter';
import { useLiveList } from '@/components/realtime/use-live-list';
import { HostKeyWarning, MonitorStatus, NginxStatus } from './server-status';

export const SERVERS_KEY = '/api/v1/servers?limit=500';
export const SERVER_EVENTS = ['server.created', 'server.updated', 'server.deleted', 'server.shares', 'server.status', 'server.host_key_mismatch'];

/**
 * Every server the signed-in user may see, live: server events (added, changed, status, a refused
 * host key) refetch the list; nothing polls. A filter narrows by name, host or OS as you type.
 */
export function ServerTable({
  initial,
  admin,
  tags = [],
  allTags = [],
  users = [],
  bulkAction,
}: {
  initial: Page<ServerDto>;
  admin: boolean;
  /** The `?tag=` filter of the page (every tag must match). */
  tags?: string[];
  allTags?: string[];
  users?: ShareUser[];
  bulkAction?: FormServerAction;
}) {
  const query = tagQueryString(tags);
  const all = useLiveList(query ? `${SERVERS_KEY}&${query.slice(1)}` : SERVERS_KEY, initial, SERVER_EVENTS);
  const [picked, setPicked] = useState<string[]>([]);
  const { filter, setFilter, active, items } = useListFilter(all, (s) => [s.name, s.host, s.os ?? '']);

  const selected = picked.filter((id) => all.some((s) => s.id === id));
  const toggle = (id: string, on: boolean) => setPicked((cur) => (on ? [...new Set([...cur, id])] : cur.filter((x) => x !== id)));
  const filterBar = <TagFilter all={allTags} active={tags} basePath="/servers" />;
  if (all.length === 0 && tags.length) {
    return (
      <div className="space-y-3">
        {filterBar}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No server carries {tags.length === 1 ? 'the tag' : 'all of the tags'} {tags.join(', ')}.</p>
      </div>
    );
  }
  const bulk = admin && bulkAction;
  if (all.length === 0) {
    return (
      <EmptyState
        icon="server"
        title="No servers yet"
        description={
          admin
            ? 'Add a server Gatehouse can reach over SSH. It pins the host key on the first connection, then can install Nginx and Glances for you.'
            : 'Servers an admin shares with you will show here, read-only.'
        }
      />
    );
  }
  return (
    <div className="space-y-3">
      {filterBar}
      {bulk && <BulkBar action={bulkAction} selected={selected} tag={tags.length === 1 ? tags[0] : undefined} users={users} />}
      {all.length > 5 && <ListFilter id="server-filter" label="Filter servers" placeholder="Filter by name, host or OS" value={filter} onChange={setFilter} />}
      <Table caption="Servers" cards>
        <THead>
          {bulk && (
            <Th>
              <input
                type="checkbox"
                aria-label="Select every server shown"
                checked={items.length > 0 && items.every((s) => selected.includes(s.id))}
                onChange={(e) => setPicked(e.target.checked ? items.map((s) => s.id) : [])}
                className="size-4 rounded border-zinc-300 accent-indigo-600 dark:border-zinc-600"
              />
            </Th>
          )}
          <Th>Server</Th>
          <Th>Monitoring</Th>
          <Th>Nginx</Th>
          <Th>OS</Th>
          <Th>Last seen</Th>
        </THead>
        <TBody>
          {items.map((s) => (
            <Tr key={s.id}>
              {bulk && (
                <Td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${s.name}`}
                    checked={selected.includes(s.id)}
                    onChange={(e) => toggle(s.id, e.target.checked)}
                    className="size-4 rounded border-zinc-300 accent-indigo-600 dark:border-zinc-600"
                  />
                </Td>
              )}
              <Td>
                <div className="flex items-center gap-2">
                  <Link href={`/servers/${s.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    {s.name}
                  </Link>
                  <HostKeyWarning server={s} />
                </div>
                <div className="font-mono text-xs text-zinc-500 dark:text-zinc-400">
                  {s.sshUser}@{s.host}
                  {s.sshPort !== 22 && `:${s.sshPort}`}
                </div>
                <TagChips tags={s.tags} href="/servers" className="mt-1" />
              </Td>
              <Td label="Monitoring">
                <MonitorStatus server={s} />
              </Td>
              <Td label="Nginx">
                <NginxStatus nginx={s.nginx} />
              </Td>
              <Td label="OS" className="max-w-56 truncate" title={s.os ?? undefined}>
                {s.os ?? <span className="text-zinc-500 dark:text-zinc-400">not checked</span>}
              </Td>
              <Td label="Last seen">
                <Time iso={s.lastSeenAt} format="relative" empty="never" />
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {active && items.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No server matches “{filter}”.</p>}
    </div>
  );
}
