import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { getUpstream } from '@/lib/proxy/upstreams';
import { listDomains } from '@/lib/proxy/domains';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { StatusPill } from '@/components/ui/badge';
import { UpstreamTargets } from '@/components/proxy/upstream-detail';
import { orNotFound } from '../../or-not-found';

export const metadata: Metadata = { title: 'Upstream' };

const METHOD = { round_robin: 'Round robin', least_conn: 'Least connections', ip_hash: 'IP hash (sticky)' } as const;

export default async function UpstreamPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const upstream = await orNotFound(getUpstream(actor, id));
  const domains = await listDomains(actor, { limit: 100, upstreamId: id });
  return (
    <>
      <Breadcrumb trail={[{ href: '/upstreams', label: 'Upstreams' }, { label: upstream.name }]} />
      <PageHeader
        title={upstream.name}
        description={`${METHOD[upstream.method]} over ${upstream.targets.length} target${upstream.targets.length === 1 ? '' : 's'}${upstream.keepalive ? `, keepalive ${upstream.keepalive}` : ''}.`}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <UpstreamTargets upstream={upstream} canCheck={actor.role === 'admin'} />
        <Card title="Domains using this pool" description={domains.items.length ? undefined : 'No domain proxies to this pool yet.'}>
          {domains.items.length > 0 && (
            <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Domains using this pool">
              {domains.items.map((d) => (
                <li key={d.id} className="flex items-center justify-between gap-3 py-2 first:pt-0 last:pb-0">
                  <Link href={`/domains/${d.id}`} className="font-mono text-xs font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    {d.fqdn}
                  </Link>
                  <StatusPill status={d.status} />
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
