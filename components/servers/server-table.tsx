'use client';

import Link from 'next/link';
import { useState } from 'react';
import useSWR from 'swr';
import type { ServerDto } from '@/lib/servers/schemas';
import type { Page } from '@/lib/db/paginate';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { controlClass } from '@/components/ui/field-parts';
import { fetchJson, useRefreshOn } from '@/components/tasks/event-stream';
import { HostKeyWarning, MonitorStatus, NginxStatus } from './server-status';

export const SERVERS_KEY = '/api/v1/servers?limit=500';
export const SERVER_EVENTS = ['server.created', 'server.updated', 'server.deleted', 'server.shares', 'server.status', 'server.host_key_mismatch'];

/**
 * Every server the signed-in user may see, live: server events (added, changed, status, a refused
 * host key) refetch the list; nothing polls. A filter narrows by name, host or OS as you type.
 */
export function ServerTable({ initial, admin }: { initial: Page<ServerDto>; admin: boolean }) {
  const { data, mutate } = useSWR<Page<ServerDto>>(SERVERS_KEY, fetchJson, { fallbackData: initial, revalidateOnMount: false, revalidateOnFocus: false, keepPreviousData: true });
  useRefreshOn(SERVER_EVENTS, () => true, () => void mutate());
  const [filter, setFilter] = useState('');
  const all = data?.items ?? [];
  const q = filter.trim().toLowerCase();
  const items = q ? all.filter((s) => [s.name, s.host, s.os ?? ''].some((v) => v.toLowerCase().includes(q))) : all;

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
      {all.length > 5 && (
        <div className="max-w-xs">
          <label htmlFor="server-filter" className="sr-only">
            Filter servers
          </label>
          <input id="server-filter" type="search" placeholder="Filter by name, host or OS" value={filter} onChange={(e) => setFilter(e.target.value)} className={`${controlClass(false)} h-9`} />
        </div>
      )}
      <Table caption="Servers">
        <THead>
          <Th>Server</Th>
          <Th>Monitoring</Th>
          <Th>Nginx</Th>
          <Th>OS</Th>
          <Th>Last seen</Th>
        </THead>
        <TBody>
          {items.map((s) => (
            <Tr key={s.id}>
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
              </Td>
              <Td>
                <MonitorStatus server={s} />
              </Td>
              <Td>
                <NginxStatus nginx={s.nginx} />
              </Td>
              <Td className="max-w-56 truncate" title={s.os ?? undefined}>
                {s.os ?? <span className="text-zinc-400 dark:text-zinc-500">not checked</span>}
              </Td>
              <Td>
                <Time iso={s.lastSeenAt} format="relative" empty="never" />
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {q && items.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No server matches “{filter}”.</p>}
    </div>
  );
}
