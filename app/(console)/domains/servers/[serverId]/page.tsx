import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { AppError } from '@/lib/errors';
import { getServer } from '@/lib/servers/store';
import { listDomains } from '@/lib/proxy/domains';
import { getServerConfig } from '@/lib/proxy/server-config';
import { StatusPill } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { DeployButton } from '@/components/proxy/deploy-button';
import { DiffView, FileList } from '@/components/proxy/diff-view';
import { DriftPanel } from '@/components/proxy/drift-panel';
import { RefreshOn } from '@/components/proxy/refresh-on';
import { checkDriftAction, deployServerAction } from '../../actions';
import { orNotFound } from '../../../or-not-found';

export const metadata: Metadata = { title: 'Server configuration' };

export default async function ServerConfigPage({ params }: { params: Promise<{ serverId: string }> }) {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const { serverId } = await params;
  const server = await orNotFound(getServer(actor, serverId));
  const operate = admin || server.shares.some((s) => s.userId === actor.id && s.level === 'operate');
  const [domains, config] = await Promise.all([
    listDomains(actor, { limit: 500, serverId }),
    getServerConfig(actor, serverId).catch((err) => {
      if (err instanceof AppError && err.status === 422) return { error: err.message };
      throw err;
    }),
  ]);
  return (
    <>
      <RefreshOn types={['domain.updated']} />
      <Breadcrumb trail={[{ href: '/domains', label: 'Domains' }, { href: `/servers/${server.id}`, label: server.name }]} />
      <PageHeader
        title={`Nginx configuration of ${server.name}`}
        description="What Gatehouse writes into the server's managed directory, and how it differs from the last deploy."
        actions={
          operate && (
            <DeployButton action={deployServerAction} hidden={{ serverId }} title={`Deploying ${server.name}`} variant="primary" size="md">
              Deploy server
            </DeployButton>
          )
        }
      />
      <div className="space-y-6">
        <Card title="Domains on this server">
          {domains.items.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet. A deploy removes any files left from deleted domains.</p>
          ) : (
            <ul className="flex flex-wrap gap-x-6 gap-y-2">
              {domains.items.map((d) => (
                <li key={d.id} className="flex items-center gap-2 text-sm">
                  <Link href={`/domains/${d.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                    {d.fqdn}
                  </Link>
                  <StatusPill status={d.status} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        {'error' in config ? (
          <Notice tone="error" title="The configuration cannot be rendered" role="alert">
            {config.error}
          </Notice>
        ) : (
          <>
            <Card title="Changes a deploy would make" description="Rendered files against the manifest of the last deploy. Only these files are uploaded.">
              <DiffView diffs={config.changes} empty="Nothing: the last deploy wrote exactly this." />
            </Card>
            <Card title="Drift" description="Files on the server that someone changed after the last deploy.">
              <DriftPanel action={checkDriftAction} serverId={serverId} />
            </Card>
            <Card title="Rendered files" description={`In ${config.managedDir} on the server.`}>
              <FileList files={config.files} />
            </Card>
          </>
        )}
      </div>
    </>
  );
}
