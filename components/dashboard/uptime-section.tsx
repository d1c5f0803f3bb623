'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import type { ServerUptimeDto } from '@/lib/monitoring/schemas';
import { useSeededSWR } from '@/components/realtime/use-seeded-swr';
import { useRefreshOn } from '@/components/tasks/event-stream';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { formatUptime, UptimeStrip } from '@/components/monitoring/uptime-strip';
import { useNarrow } from './fleet-card';

export const UPTIME_KEY = '/api/v1/fleet/uptime';

/**
 * Uptime per server, as Uptime Kuma shows it: 24 h and 30 days and a strip of the last 24 hours
 * (lib/monitoring/uptime.ts says how it is derived). Refetched when a server goes up or down.
 */
export function UptimeSection({ initial, names }: { initial: ServerUptimeDto[]; names: Record<string, string> }) {
  const swr = useSeededSWR<{ items: ServerUptimeDto[] }>(UPTIME_KEY, { items: initial });
  useRefreshOn(['server.status', 'server.created', 'server.deleted', 'alert.fired', 'alert.resolved'], () => true, () => void swr.mutate().catch(() => undefined), 2_000);
  const narrow = useNarrow();
  const rows = useMemo(
    () => (swr.data?.items ?? initial).filter((u) => names[u.serverId] !== undefined).sort((a, b) => (a.day ?? 101) - (b.day ?? 101) || names[a.serverId].localeCompare(names[b.serverId])),
    [swr.data, initial, names],
  );
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="uptime-heading" className="mt-8">
      <div className="mb-3">
        <h2 id="uptime-heading" className="text-base font-semibold">
          Uptime
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Time each server answered Glances, from its samples and server-down incidents. Grey: no data.</p>
      </div>
      {narrow ? (
        <ul className="space-y-3" aria-label="Uptime per server">
          {rows.map((u) => (
            <li key={u.serverId} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800" data-uptime-server={u.serverId}>
              <div className="flex items-baseline justify-between gap-3">
                <Link href={`/servers/${u.serverId}`} className="font-medium hover:underline">
                  {names[u.serverId]}
                </Link>
                <span className="text-sm tabular-nums">
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">24 h </span>
                  <span data-uptime="day">{formatUptime(u.day)}</span>
                  <span className="text-xs text-zinc-500 dark:text-zinc-400"> · 30 d </span>
                  <span data-uptime="month">{formatUptime(u.month)}</span>
                </span>
              </div>
              <div className="mt-2">
                <UptimeStrip strip={u.strip} label={`Uptime of ${names[u.serverId]} over the last 24 hours`} />
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <Table caption="Uptime per server over 24 hours and 30 days">
          <THead>
            <Th>Server</Th>
            <Th>Last 24 hours</Th>
            <Th>24 h</Th>
            <Th>30 days</Th>
          </THead>
          <TBody>
            {rows.map((u) => (
              <Tr key={u.serverId}>
                <Td primary data-uptime-server={u.serverId}>
                  <Link href={`/servers/${u.serverId}`} className="hover:underline">
                    {names[u.serverId]}
                  </Link>
                </Td>
                <Td className="w-1/2 min-w-48">
                  <UptimeStrip strip={u.strip} label={`Uptime of ${names[u.serverId]} over the last 24 hours`} />
                </Td>
                <Td className="tabular-nums" data-uptime="day">
                  {formatUptime(u.day)}
                </Td>
                <Td className="tabular-nums" data-uptime="month">
                  {formatUptime(u.month)}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </section>
  );
}
