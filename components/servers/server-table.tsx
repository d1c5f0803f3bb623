'use client';

import Link from 'next/link';
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
export function ServerTable({ initial, admin }: { initial: Page<ServerDto>; admin: boolean }) {
  const all = useLiveList(SERVERS_KEY, initial, SERVER_EVENTS);
  const { filter, setFilter, active, items } = useListFilter(all, (s) => [s.name, s.host, s.os ?? '']);

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
      {all.length > 5 && <ListFilter id="server-filter" label="Filter servers" placeholder="Filter by name, host or OS" value={filter} onChange={setFilter} />}
      <Table caption="Servers" cards>
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
