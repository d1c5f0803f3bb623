import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { getFleetServer } from '@/lib/monitoring/fleet';
import { StatusPill } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Notice } from '@/components/ui/notice';
import { Time } from '@/components/ui/time';
import { ServerMetrics } from '@/components/monitoring/server-metrics';
import { ServerTabs } from '@/components/servers/server-tabs';
import Link from 'next/link';
import { orNotFound } from '../../../or-not-found';

export const metadata: Metadata = { title: 'Server metrics' };

export default async function ServerMetricsPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const server = await orNotFound(getFleetServer(actor, id));
  return (
    <>
      <Breadcrumb trail={[{ href: '/servers', label: 'Servers' }, { href: `/servers/${server.id}`, label: server.name }]} />
      <PageHeader
        title={<span className="flex items-center gap-3">{server.name} <StatusPill status={server.status} /></span>}
        description={
          <>
            Metrics from Glances. Last sample: <Time iso={server.lastSeenAt} empty="never" format="relative" />
          </>
        }
        actions={
          <Link
            href={`/servers/${server.id}`}
            className="inline-flex items-center rounded-md bg-white px-3 py-2 text-sm font-medium text-zinc-900 shadow-sm ring-1 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-700"
          >
            ← Back to {server.name}
          </Link>
        }
      />
      <ServerTabs id={server.id} current="metrics" />
      {!server.glancesConfigured && <div className="mb-4"><Notice tone="info">This server has no Glances address, so it is not polled.</Notice></div>}
      {server.glancesConfigured && !server.monitoringEnabled && <div className="mb-4"><Notice tone="info">Monitoring is off for this server; the history below stops where it was turned off.</Notice></div>}
      {server.lastError && server.status !== 'up' && <div className="mb-4"><Notice tone="warning" title="The last poll failed">{server.lastError}</Notice></div>}
      <ServerMetrics serverId={server.id} />
    </>
  );
}
