import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { domainTagsInUse, listDomains } from '@/lib/proxy/domains';
import { tagsFromSearch } from '@/components/ui/tag-chips';
import { proxyChoices } from '@/lib/proxy/console-data';
import { certificateChoices } from '@/lib/certs/service';
import { Card } from '@/components/ui/card';
import { buttonClass } from '@/components/ui/button';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { DomainFields, domainFieldNames } from '@/components/proxy/domain-fields';
import { DomainTable } from '@/components/proxy/domain-table';
import { RefreshOn } from '@/components/proxy/refresh-on';
import { createDomainAction, deleteDomainAction, deployDomainAction, updateDomainAction } from './actions';
import { plural } from '@/lib/errors';

export const metadata: Metadata = { title: 'Domains' };

export default async function DomainsPage({ searchParams }: { searchParams: Promise<{ tag?: string | string[] }> }) {
  const actor = await requireActor();
  // ?tag=a&tag=b (every tag must match): a filtered view is a URL that can be bookmarked.
  const tags = tagsFromSearch((await searchParams).tag).filter((t) => /^[a-z0-9][a-z0-9-]{0,31}$/.test(t));
  const admin = actor.role === 'admin';
  const [domains, proxy, certificates] = await Promise.all([listDomains(actor, { limit: 500, tag: tags }), proxyChoices(actor), certificateChoices(actor)]);
  const allTags = await domainTagsInUse(actor);
  const choices = { ...proxy, certificates };
  const used = new Set(domains.items.map((d) => d.serverId));
  const pending = new Map<string, number>();
  for (const d of domains.items) if (d.status !== 'deployed') pending.set(d.serverId, (pending.get(d.serverId) ?? 0) + 1);
  // Operators (lib/access/rbac.ts) add and change domains on the servers they operate.
  const operable = choices.servers.filter((s) => !choices.operable || choices.operable.includes(s.id));
  const operator = !admin && operable.length > 0;
  const canCreate = (admin || operator) && operable.length > 0 && choices.upstreams.length > 0;
  return (
    <>
      {/* The per-server summary is rendered here; the table below refreshes itself. */}
      <RefreshOn types={['domain.updated']} />
      <PageHeader
        title="Domains"
        description={
          admin
            ? 'Names served by your servers\u2019 Nginx, each proxied to an upstream pool. Changes go live when you deploy.'
            : operator
              ? 'Domains on the servers shared with you. On the ones you operate you may add, change and deploy domains.'
              : 'Domains on the servers shared with you (read-only).'
        }
        actions={
          (canCreate || (admin && choices.servers.length > 0)) && (
            <>
            {admin && choices.servers.length > 0 && (
              <Link href="/domains/new" className={buttonClass(canCreate ? 'secondary' : 'primary')}>
                Proxy a site
              </Link>
            )}
            {canCreate && (
            <ModalForm action={createDomainAction} title="New domain" trigger={<><Icon name="plus" />New domain</>} triggerVariant="primary" submitLabel="Add domain" size="lg" fieldNames={domainFieldNames}>
              <DomainFields choices={choices} />
            </ModalForm>
            )}
            </>
          )
        }
      />
      {admin && !canCreate && (
        <div className="mb-4">
          <Notice tone="info" title="Before the first domain">
            A domain needs a <Link href="/servers" className="font-medium underline">server</Link> and an <Link href="/upstreams" className="font-medium underline">upstream pool</Link> to proxy to.{' '}
            {choices.servers.length > 0 && <><Link href="/domains/new" className="font-medium underline">Proxy a site</Link> creates both the pool and the domain in one go.</>}
          </Notice>
        </div>
      )}
      {used.size > 0 && (
        <div className="mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {choices.servers
            .filter((s) => used.has(s.id))
            .map((s) => (
              <Card key={s.id}>
                <div className="flex items-center justify-between gap-3">
                  <div className="min-w-0">
                    <p className="truncate font-medium">{s.name}</p>
                    <p className="text-sm text-zinc-600 dark:text-zinc-400">{pending.get(s.id) ? `${plural(pending.get(s.id)!, 'domain')} not deployed` : 'Everything deployed'}</p>
                  </div>
                  <Link href={`/domains/servers/${s.id}`} className="shrink-0 text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    {!choices.operable || choices.operable.includes(s.id) ? 'Config and deploy →' : 'Configuration →'}
                  </Link>
                </div>
              </Card>
            ))}
        </div>
      )}
      <DomainTable initial={domains} choices={choices} tags={tags} allTags={allTags} actions={admin || operator ? { update: updateDomainAction, remove: deleteDomainAction, deploy: deployDomainAction } : null} />
    </>
  );
}
