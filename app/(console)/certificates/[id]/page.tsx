import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireActor } from '@/lib/auth/session';
import { getCertificate } from '@/lib/certs/service';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { StatusPill } from '@/components/ui/badge';
import { Notice } from '@/components/ui/notice';
import { Time } from '@/components/ui/time';
import { orNotFound } from '../../or-not-found';

export const metadata: Metadata = { title: 'Certificate' };

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
      {rows.map(([k, v]) => (
        <div key={k} className="grid grid-cols-[8rem_minmax(0,1fr)] gap-3 py-2 first:pt-0 last:pb-0">
          <dt className="text-zinc-500 dark:text-zinc-400">{k}</dt>
          <dd className="min-w-0 break-words">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export default async function CertificatePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const c = await orNotFound(getCertificate(actor, id));
  const title = c.names[0] ?? 'Certificate';
  return (
    <>
      <Breadcrumb trail={[{ href: '/certificates', label: 'Certificates' }, { label: title }]} />
      <PageHeader title={<span className="flex items-center gap-3">{title} <StatusPill status={c.status} /></span>} description={c.source === 'acme' ? 'Issued by ACME; renews by itself 30 days before expiry.' : 'Uploaded certificate.'} />
      {c.lastError && (
        <div className="mb-6">
          <Notice tone="warning" title="The last attempt failed">
            {c.lastError}
          </Notice>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Certificate">
          <Facts
            rows={[
              ['Names', <span key="n" className="font-mono text-xs">{c.names.join(', ')}</span>],
              ['Issuer', c.issuer ?? '—'],
              ['Valid from', <Time key="f" iso={c.notBefore} empty="—" />],
              ['Expires', <span key="e"><Time iso={c.notAfter} empty="—" />{c.daysLeft !== null && ` (${c.daysLeft} days left)`}</span>],
              ['Fingerprint', <span key="fp" className="font-mono text-xs break-all">{c.fingerprint ?? '—'}</span>],
              ['Renewed', <Time key="r" iso={c.renewedAt} empty="never" />],
            ]}
          />
        </Card>
        <Card title="Served by" description={c.domains.length ? undefined : 'No domain serves this certificate.'}>
          {c.domains.length > 0 && (
            <ul className="space-y-1 text-sm" aria-label="Domains serving this certificate">
              {c.domains.map((d) => (
                <li key={d.id}>
                  <Link href={`/domains/${d.id}`} className="font-mono text-xs font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    {d.fqdn}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      {c.certificatePem && (
        <section className="mt-6" aria-labelledby="pem-heading">
          <h2 id="pem-heading" className="mb-2 text-base font-semibold">
            Certificate (PEM)
          </h2>
          <pre className="max-h-72 overflow-auto rounded-lg bg-zinc-50 p-4 font-mono text-xs ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">{c.certificatePem}</pre>
        </section>
      )}
    </>
  );
}
