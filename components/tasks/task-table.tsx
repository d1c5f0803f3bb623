'use client';

import Link from 'next/link';
import type { TaskDto } from '@/lib/tasks/schemas';
import type { Page } from '@/lib/pagination';
import { StatusPill } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { useLiveList } from '@/components/realtime/use-live-list';
import { duration, taskLabel } from './task-kinds';

const link = 'font-medium text-indigo-700 hover:underline dark:text-indigo-400';

/**
 * Tasks, newest first, live: a `task.updated` event (queued, started, progress, finished)
 * refetches the list, coalesced so a busy task costs at most a few requests a second.
 * `serverId` narrows it to one server (and hides the server column).
 */
export function TaskTable({
  initial,
  serverNames,
  serverId,
  limit = 50,
  caption = 'Tasks, newest first',
}: {
  initial: Page<TaskDto>;
  serverNames: Record<string, string>;
  serverId?: string;
  limit?: number;
  caption?: string;
}) {
  const key = `/api/v1/tasks?limit=${limit}${serverId ? `&serverId=${encodeURIComponent(serverId)}` : ''}`;
  // task.updated carries no server id in its data, so a server's list refetches on any task's change.
  const items = useLiveList(key, initial, ['task.updated'], 500);

  if (items.length === 0) {
    return (
      <EmptyState
        icon="check"
        title="No tasks yet"
        description={serverId ? 'Connection tests and installs on this server will be listed here, with their live log.' : 'Connection tests, installs and deploys will be listed here, with their live log.'}
      />
    );
  }
  return (
    <Table caption={caption} cards>
      <THead>
        <Th>Task</Th>
        {!serverId && <Th>Server</Th>}
        <Th>Status</Th>
        <Th>Started</Th>
        <Th>Duration</Th>
      </THead>
      <TBody>
        {items.map((t) => (
          <Tr key={t.id}>
            <Td>
              <Link href={`/tasks/${t.id}`} className={link}>
                {taskLabel(t.kind)}
              </Link>
            </Td>
            {!serverId && (
              <Td label="Server">
                {t.serverId ? (
                  <Link href={`/servers/${t.serverId}`} className="hover:underline">
                    {serverNames[t.serverId] ?? 'server'}
                  </Link>
                ) : (
                  <span className="text-zinc-500 dark:text-zinc-400">—</span>
                )}
              </Td>
            )}
            <Td label="Status">
              <span className="inline-flex items-center gap-2">
                <StatusPill status={t.status} />
                {t.status === 'running' && <span className="tabular-nums text-xs text-zinc-500">{t.progress}%</span>}
              </span>
            </Td>
            <Td label="Started">
              <Time iso={t.startedAt ?? t.createdAt} format="relative" />
            </Td>
            <Td label="Duration" className="tabular-nums" suppressHydrationWarning>
              {duration(t.startedAt, t.finishedAt) ?? '—'}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
