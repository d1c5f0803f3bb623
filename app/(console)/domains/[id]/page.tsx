import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { AppError } from '@/lib/errors';
import { getDomain } from '@/lib/proxy/domains';
import { getDomainConfig } from '@/lib/proxy/server-config';
import { proxyChoices } from '@/lib/proxy/console-data';
import { certificateChoices } from '@/lib/certs/service';
import { StatusPill } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ModalForm } from '@/components/ui/modal-form';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { TagChips } from '@/components/ui/tag-chips';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Time } from '@/components/ui/time';
import { DeployButton } from '@/components/proxy/deploy-button';
import { DiffView, FileList } from '@/components/proxy/diff-view';
import { DomainFields, domainFieldNames } from '@/components/proxy/domain-fields';
import { RefreshOn } from '@/components/proxy/refresh-on';
import { DnsStatus } from '@/components/monitoring/dns-status';
import { LogPanel } from '@/components/proxy/log-panel';
import { deployDomainAction, updateDomainAction } from '../actions';
import { orNotFound } from '../../or-not-found';

export const metadata: Metadata = { title: 'Domain' };

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-sm break-words">{children}</dd>
    </div>
  );
}

export default async function DomainPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const { id } = await params;
  const domain = await orNotFound(getDomain(actor, id));
  const [proxy, certificates, config] = await Promise.all([
    proxyChoices(actor),
    certificateChoices(actor),
    getDomainConfig(actor, id).catch((err) => {
      if (err instanceof AppError && err.status === 422) return { error: err.message };
      throw err;
    }),
  ]);
  const choices = { ...proxy, certificates };
  // Admins and operators of the domain's server edit, deploy and check it (lib/access/rbac.ts).
  const operate = admin || (choices.operable?.includes(domain.serverId) ?? false);
  const server = choices.servers.find((s) => s.id === domain.serverId);
  const upstream = choices.upstreams.find((u) => u.id === domain.upstreamId);
  const listName = (id: string | null) => (id ? choices.accessLists.find((a) => a.id === id)?.name : undefined);
  const template = domain.templateId ? (choices.templates.find((t) => t.id === domain.templateId)?.name ?? domain.templateId) : 'Built-in';
  return (
    <>
      <RefreshOn types={['domain.updated']} field="domainId" value={domain.id} />
      <Breadcrumb trail={[{ href: '/domains', label: 'Domains' }, server && { href: `/domains/servers/${server.id}`, label: server.name }]} />
      <PageHeader
        title={domain.fqdn}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <StatusPill status={domain.status} />
            <TagChips tags={domain.tags} href="/domains" />
          </span>
        }
        actions={
          operate && (
            <>
              <ModalForm action={updateDomainAction} title={`Edit ${domain.fqdn}`} trigger="Edit" hidden={{ id: domain.id }} size="lg" fieldNames={domainFieldNames}>
                <DomainFields domain={domain} choices={choices} />
              </ModalForm>
              <DeployButton action={deployDomainAction} hidden={{ id: domain.id }} title={`Deploying ${domain.fqdn}`} variant="primary" size="md">
                Deploy this domain
              </DeployButton>
            </>
          )
        }
      />
      <div className="space-y-6">
        {domain.lastError && (domain.status === 'failed' || domain.status === 'drifted') && (
          <Notice tone={domain.status === 'failed' ? 'error' : 'warning'} title={domain.status === 'failed' ? 'The last deploy failed' : 'Changed on the server by hand'}>
            <pre className="font-mono text-xs whitespace-pre-wrap">{domain.lastError}</pre>
          </Notice>
        )}
        <Card title="Settings">
          <dl className="grid gap-4 sm:grid-cols-3">
            <Fact label="Server">{server?.name ?? '—'}</Fact>
            <Fact label="Upstream">{upstream?.name ?? '—'}</Fact>
            <Fact label="Template">{template}</Fact>
            <Fact label="Aliases">{domain.aliases.length ? domain.aliases.join(', ') : '—'}</Fact>
            <Fact label="HTTPS">
              {domain.ssl.mode === 'none' ? 'off' : `${domain.ssl.mode}${domain.ssl.forceHttps ? ', forced' : ''}${domain.ssl.hsts ? ', HSTS' : ''}${domain.ssl.http2 ? ', HTTP/2' : ''}`}
            </Fact>
            <Fact label="WebSocket">{domain.websocket ? 'on' : 'off'}</Fact>
            <Fact label="Max request body">{domain.clientMaxBodySize}</Fact>
            <Fact label="Redirect">{domain.redirect ? `${domain.redirect.code} → ${domain.redirect.url}${domain.redirect.preservePath ? ' (keeps path and query)' : ''}` : '—'}</Fact>
            <Fact label="Access list">{listName(domain.accessListId) ?? '—'}</Fact>
            <Fact label="Name servers">{domain.nameservers.expected.join(', ') || domain.nameservers.pattern || '—'}</Fact>
            <Fact label="Deployed">
              <Time iso={domain.deployedAt} empty="never" />
            </Fact>
          </dl>
          {domain.locations.length > 0 && (
            <div className="mt-4">
              <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Locations</p>
              <ul className="mt-1 space-y-1 text-sm">
                {domain.locations.map((l) => (
                  <li key={l.path}>
                    <code className="font-mono text-xs">{l.path}</code> →{' '}
                    {l.redirect ? `${l.redirect.code} ${l.redirect.url}` : `pool ${choices.upstreams.find((u) => u.id === l.upstreamId)?.name ?? '—'}`}
                    {l.websocket ? ', WebSocket' : ''}, body up to {l.clientMaxBodySize}
                    {l.accessListId ? `, access list ${listName(l.accessListId) ?? '—'}` : ''}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {domain.customDirectives.trim() && (
            <div className="mt-4">
              <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Custom directives</p>
              <pre className="mt-1 rounded-md bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">{domain.customDirectives}</pre>
            </div>
          )}
        </Card>
        {(domain.logs.access || domain.logs.error) && (
          <Card title="Logs" description="The domain's own log files on the server, followed live over its SSH connection.">
            <LogPanel domainId={domain.id} kinds={[...(domain.logs.access ? (['access'] as const) : []), ...(domain.logs.error ? (['error'] as const) : [])]} />
          </Card>
        )}
        <Card title="Nameservers" description="What the DNS resolvers in Settings answer for this domain, against the expected nameservers.">
          <DnsStatus domainId={domain.id} nsStatus={domain.nsStatus} canCheck={operate} />
        </Card>
        {'error' in config ? (
          <Notice tone="error" title="This domain cannot be rendered" role="alert">
            {config.error}
          </Notice>
        ) : (
          <>
            <Card title="Changes a deploy would make" description="The rendered files against what was last deployed to the server.">
              <DiffView diffs={config.changes} empty="Nothing: the server has this configuration." />
            </Card>
            <Card title="Rendered files" description={`Written to ${config.managedDir} on the server.`}>
              <FileList files={config.files} />
            </Card>
          </>
        )}
      </div>
    </>
  );
}
