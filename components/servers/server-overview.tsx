'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { AlertDto } from '@/lib/alerts/schemas';
import { KIND_LABELS } from '@/lib/alerts/kinds';
import type { FleetItem, ServerUptimeDto } from '@/lib/monitoring/schemas';
import type { DomainDto } from '@/lib/proxy/dto';
import { Card } from '@/components/ui/card';
import { StatusPill } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { useEvents } from '@/components/realtime/use-events';
import { useSeededSWR } from '@/components/realtime/use-seeded-swr';
import { useRefreshOn } from '@/components/tasks/event-stream';
import { formatLoad, formatPercent } from '@/components/monitoring/format';
import { UptimeFigures } from '@/components/monitoring/uptime-strip';
import { Meter } from '@/components/dashboard/meter';

const linkCls = 'font-medium text-indigo-700 hover:underline dark:text-indigo-400';
type Sample = NonNullable<FleetItem['sample']>;

/** CPU, memory, disk and load from the live state: the latest sample, patched by `metrics` events. */
function CurrentFigures({ fleet }: { fleet: FleetItem }) {
  const [sample, setSample] = useState<Partial<Sample> | null>(fleet.sample);
  const [status, setStatus] = useState(fleet.status);
  useEvents(['metrics', 'server.status'], (data, type) => {
    if (data.serverId !== fleet.id) return;
    if (type === 'server.status') setStatus(data.status as FleetItem['status']);
    else setSample((cur) => ({ ...cur, ...(data as Partial<Sample>) }));
  });
  const monitored = fleet.glancesConfigured && fleet.monitoringEnabled;
  return (
    <Card
      title="Now"
      description={sample?.at ? <>Latest sample <Time iso={sample.at} format="relative" /></> : monitored ? 'No sample yet.' : 'Not polled: set a Glances address and turn monitoring on.'}
      actions={<StatusPill status={status} />}
    >
      <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4" aria-label="Current figures">
        {(
          [
            ['CPU', sample?.cpu],
            ['Memory', sample?.memory],
            ['Disk', sample?.disk],
          ] as const
        ).map(([label, value]) => (
          <div key={label} data-figure={label.toLowerCase()}>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
            <dd title={`${label}: ${formatPercent(value)}`}>
              <Meter value={value} label={label} />
            </dd>
          </div>
        ))}
        <div data-figure="load">
          <dt className="text-xs text-zinc-500 dark:text-zinc-400" title="Load average over 1, 5 and 15 minutes">Load</dt>
          <dd className="whitespace-nowrap tabular-nums">{sample?.load1 !== undefined && sample ? `${formatLoad(sample.load1)} · ${formatLoad(sample.load5 ?? null)} · ${formatLoad(sample.load15 ?? null)}` : '—'}</dd>
        </div>
      </dl>
      <p className="mt-4 text-sm">
        <Link href={`/servers/${fleet.id}/metrics`} className={linkCls}>
          History and charts →
        </Link>
      </p>
    </Card>
  );
}

function Uptime({ initial, name }: { initial: ServerUptimeDto; name: string }) {
  const key = `/api/v1/servers/${initial.serverId}/uptime`;
  const swr = useSeededSWR<ServerUptimeDto>(key, initial);
  useRefreshOn(['server.status', 'alert.fired', 'alert.resolved'], (_t, d) => d.serverId === undefined || d.serverId === initial.serverId, () => void swr.mutate().catch(() => undefined), 2_000);
  return (
    <Card title="Uptime" description="Time this server answered Glances, from its samples and server-down incidents. Grey: no data.">
      <UptimeFigures uptime={swr.data ?? initial} name={name} />
    </Card>
  );
}

function Domains({ domains, more }: { domains: DomainDto[]; more: boolean }) {
  return (
    <Card title="Domains on this server" description={domains.length ? undefined : 'No domain is served by this server yet.'}>
      {domains.length > 0 && (
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Domains on this server">
          {domains.map((d) => (
            <li key={d.id} className="flex items-center justify-between gap-3 py-2 first:pt-0 last:pb-0">
              <Link href={`/domains/${d.id}`} className={`${linkCls} min-w-0 truncate font-mono text-xs`}>
                {d.fqdn}
                {d.aliases.length > 0 && <span className="ml-1 text-zinc-500 dark:text-zinc-400">+{d.aliases.length}</span>}
              </Link>
              <span className="flex items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">{d.ssl.mode === 'none' ? 'HTTP' : 'HTTPS'} <StatusPill status={d.status} /></span>
            </li>
          ))}
        </ul>
      )}
      {more && (
        <p className="mt-3 text-sm">
          <Link href={`/domains/servers/${domains[0]?.serverId ?? ''}`} className={linkCls}>
            All domains →
          </Link>
        </p>
      )}
    </Card>
  );
}

function Incidents({ incidents, serverId }: { incidents: AlertDto[]; serverId: string }) {
  return (
    <Card title="Recent incidents" description={incidents.length ? undefined : 'No incident on this server.'}>
      {incidents.length > 0 && (
        <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Recent incidents on this server" data-server={serverId}>
          {incidents.map((a) => (
            <li key={a.id} className="flex items-center justify-between gap-3 py-2 first:pt-0 last:pb-0">
              <Link href={`/alerts/${a.id}`} className={linkCls}>
                {KIND_LABELS[a.kind].replace(' (any mount)', '')}
                {a.subject.type !== 'server' && <span className="ml-1 font-normal text-zinc-600 dark:text-zinc-400">· {a.subject.name}</span>}
              </Link>
              <span className="flex shrink-0 items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">
                <Time iso={a.startedAt} format="relative" />
                <StatusPill status={a.state === 'firing' ? 'firing' : 'resolved'} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** What a server page shows about the server's life: figures now, uptime, domains, incidents. */
export function ServerOverview({ fleet, uptime, domains, moreDomains, incidents }: { fleet: FleetItem; uptime: ServerUptimeDto; domains: DomainDto[]; moreDomains: boolean; incidents: AlertDto[] }) {
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <CurrentFigures fleet={fleet} />
      <Uptime initial={uptime} name={fleet.name} />
      <Domains domains={domains} more={moreDomains} />
      <Incidents incidents={incidents} serverId={fleet.id} />
    </div>
  );
}
