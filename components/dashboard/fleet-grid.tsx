'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { FleetItem } from '@/lib/monitoring/schemas';
import { StatusPill } from '@/components/ui/badge';
import { cx } from '@/components/ui/cx';
import { EmptyState } from '@/components/ui/empty-state';
import { Notice } from '@/components/ui/notice';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { formatLoad } from '@/components/monitoring/format';
import { FleetControls, type StatusFilter } from './fleet-controls';
import { Meter } from './meter';
import { useFleet } from './use-fleet';
import { FleetCard, useNarrow } from './fleet-card';

type SortKey = 'name' | 'status' | 'cpu' | 'memory' | 'disk' | 'load' | 'lastSeen';
const STATUS_ORDER = { down: 0, unknown: 1, up: 2 } as const;

const sortValue: Record<SortKey, (s: FleetItem) => number | string> = {
  name: (s) => s.name.toLowerCase(),
  status: (s) => STATUS_ORDER[s.status],
  cpu: (s) => s.sample?.cpu ?? -1,
  memory: (s) => s.sample?.memory ?? -1,
  disk: (s) => s.sample?.disk ?? -1,
  load: (s) => s.sample?.load1 ?? -1,
  lastSeen: (s) => s.lastSeenAt ?? '',
};

const COLUMNS: Array<{ key: SortKey; label: string; firstDir: 'asc' | 'desc' }> = [
  { key: 'name', label: 'Server', firstDir: 'asc' },
  { key: 'status', label: 'Status', firstDir: 'asc' },
  { key: 'cpu', label: 'CPU', firstDir: 'desc' },
  { key: 'memory', label: 'Memory', firstDir: 'desc' },
  { key: 'disk', label: 'Disk', firstDir: 'desc' },
  { key: 'load', label: 'Load', firstDir: 'desc' },
  { key: 'lastSeen', label: 'Last sample', firstDir: 'desc' },
];

/** The fleet at a glance: live status and usage per server, sortable and filterable. */
export function FleetGrid({ initial, admin, tags }: { initial: FleetItem[]; admin: boolean; tags?: string[] }) {
  const { data, error } = useFleet(initial, tags);
  const servers = useMemo(() => data ?? [], [data]);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'status', dir: 'asc' });
  const narrow = useNarrow();

  const counts = useMemo(() => {
    const c = { all: servers.length, up: 0, down: 0, unknown: 0 };
    for (const s of servers) c[s.status]++;
    return c;
  }, [servers]);

  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    const value = sortValue[sort.key];
    const sign = sort.dir === 'asc' ? 1 : -1;
    return servers
      .filter((s) => (status === 'all' || s.status === status) && (!q || s.name.toLowerCase().includes(q)))
      .sort((a, b) => {
        const x = value(a);
        const y = value(b);
        return (x < y ? -1 : x > y ? 1 : 0) * sign || a.name.localeCompare(b.name);
      });
  }, [servers, query, status, sort]);

  if (servers.length === 0) {
    return (
      <EmptyState
        icon="server"
        title="No servers yet"
        description={
          admin
            ? 'Add a server with its Glances address: its status and live CPU, memory, disk and load will show here.'
            : 'Servers an admin shares with you will show here, with their status and live metrics.'
        }
        action={admin ? <Link href="/servers" className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">Go to servers →</Link> : undefined}
      />
    );
  }

  const toggle = (key: SortKey, firstDir: 'asc' | 'desc') =>
    setSort((cur) => (cur.key === key ? { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: firstDir }));

  return (
    <div className="space-y-4">
      {error && <Notice tone="warning">The latest fleet data could not be loaded; showing what was loaded before.</Notice>}
      <FleetControls counts={counts} status={status} onStatus={setStatus} query={query} onQuery={setQuery} />
      {narrow ? (
        <ul className="space-y-3" aria-label="Servers with their status and latest metrics">
          {rows.map((s) => (
            <FleetCard key={s.id} server={s} />
          ))}
        </ul>
      ) : (
        <Table caption="Servers with their status and latest metrics">
          <THead>
            {COLUMNS.map((c) => (
              <Th key={c.key} aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                <button type="button" onClick={() => toggle(c.key, c.firstDir)} className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-white">
                  {c.label}
                  <span aria-hidden="true" className="text-[10px]">{sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span>
                </button>
              </Th>
            ))}
          </THead>
          <TBody>
            {rows.map((s) => (
              <FleetRow key={s.id} server={s} />
            ))}
          </TBody>
        </Table>
      )}
      {rows.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No server matches the filter.</p>}
    </div>
  );
}

function FleetRow({ server: s }: { server: FleetItem }) {
  const monitored = s.monitoringEnabled && s.glancesConfigured;
  const sample = s.sample;
  // A down server's last sample is shown faded: it is what was seen, not what is.
  const stale = s.status === 'down' ? 'opacity-50' : undefined;
  return (
    <Tr>
      <Td primary data-server-name>
        <Link href={`/servers/${s.id}`} className="hover:underline">
          {s.name}
        </Link>
      </Td>
      <Td data-metric="status">
        <StatusPill status={s.status} />
        {s.lastError && s.status !== 'up' && (
          <p className="mt-1 max-w-40 truncate text-xs text-zinc-500 dark:text-zinc-400" title={s.lastError}>
            {s.lastError}
          </p>
        )}
      </Td>
      {!monitored && !sample ? (
        <Td colSpan={4} className="text-zinc-500 dark:text-zinc-400">
          {s.glancesConfigured ? 'Monitoring is off' : 'No Glances address set'}
        </Td>
      ) : (
        <>
          <Td data-metric="cpu" className={stale}>
            <Meter value={sample?.cpu} label="CPU" />
          </Td>
          <Td data-metric="memory" className={stale}>
            <Meter value={sample?.memory} label="Memory" />
          </Td>
          <Td data-metric="disk" className={stale}>
            <Meter value={sample?.disk} label="Fullest disk" />
          </Td>
          <Td data-metric="load" className={cx('tabular-nums', stale)} title="Load average over 1, 5 and 15 minutes">
            {sample ? `${formatLoad(sample.load1)} · ${formatLoad(sample.load5)} · ${formatLoad(sample.load15)}` : '—'}
          </Td>
        </>
      )}
      <Td>
        <Time iso={s.lastSeenAt} empty="never" format="relative" />
      </Td>
    </Tr>
  );
}
