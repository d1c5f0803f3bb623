import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { getIncident } from '@/lib/alerts/store';
import { KIND_LABELS } from '@/lib/alerts/kinds';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Card } from '@/components/ui/card';
import { Badge, StatusPill } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Time } from '@/components/ui/time';
import { formatLasted, formatValue } from '@/components/alerts/format';
import { orNotFound } from '../../or-not-found';

export const metadata: Metadata = { title: 'Incident' };

const SUBJECT_HREF = { server: (id: string) => `/servers/${id}`, domain: (id: string) => `/domains/${id}`, upstream: (id: string) => `/upstreams/${id}`, certificate: (id: string) => `/certificates/${id}` } as const;
const SEVERITY_TONE = { critical: 'red', warning: 'amber', info: 'blue' } as const;
const DOT = { condition: 'bg-zinc-400', fired: 'bg-red-600', resolved: 'bg-emerald-500', message: 'bg-indigo-500' } as const;

export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const { alert: a, timeline } = await orNotFound(getIncident(actor, id));
  const label = KIND_LABELS[a.kind].replace(' (any mount)', '');
  return (
    <>
      <Breadcrumb trail={[{ href: '/alerts', label: 'Alerts' }, { label }]} />
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            {label} · {a.subject.name} <StatusPill status={a.state} />
            {a.silenced && <StatusPill status="silenced" />}
          </span>
        }
        description={
          <>
            <Badge tone={SEVERITY_TONE[a.severity]}>{a.severity}</Badge> {a.mount && <span className="font-mono text-xs">{a.mount} · </span>}
            {a.state === 'resolved' ? `Lasted ${formatLasted(a.startedAt, a.resolvedAt)}` : <>Open since <Time iso={a.startedAt} format="relative" /></>}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Card title="Timeline">
          <ol className="space-y-3 text-sm" aria-label="Incident timeline">
            {timeline.map((e, i) => (
              <li key={i} className="flex gap-3" data-timeline={e.kind}>
                <span aria-hidden="true" className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${DOT[e.kind]}`} />
                <span className="min-w-0">
                  <span className="block">{e.text}</span>
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">
                    <Time iso={e.at} format="datetime" />
                  </span>
                </span>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Subject">
          <p className="text-sm">
            <span className="text-zinc-500 dark:text-zinc-400">{a.subject.type} </span>
            <Link href={SUBJECT_HREF[a.subject.type](a.subject.id)} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
              {a.subject.name}
            </Link>
          </p>
          <p className="mt-2 text-sm">Last value: {formatValue(a.kind, a.value)}</p>
          {a.serverId && a.subject.type !== 'server' && (
            <p className="mt-2 text-sm">
              <Link href={`/servers/${a.serverId}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                Its server →
              </Link>
            </p>
          )}
        </Card>
      </div>
    </>
  );
}
