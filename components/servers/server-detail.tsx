'use client';

import type { ReactNode } from 'react';
import type { ServerDto } from '@/lib/servers/schemas';
import { ActionButton } from '@/components/ui/action-button';
import { Card } from '@/components/ui/card';
import { Notice } from '@/components/ui/notice';
import { Time } from '@/components/ui/time';
import { useRefreshOn } from '@/components/tasks/event-stream';
import { useSeededSWR } from '@/components/realtime/use-seeded-swr';
import { installNginxAction } from '@/app/(console)/servers/actions';
import { TagChips } from '@/components/ui/tag-chips';
import { HostKeyPanel } from './host-key-panel';
import { InstallGlancesButton } from './install-glances-button';
import { MonitorStatus, NginxStatus } from './server-status';
import { SERVER_EVENTS } from './server-table';

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
      {rows.map(([k, v]) => (
        <div key={k} className="grid grid-cols-[9rem_minmax(0,1fr)] gap-3 py-2 first:pt-0 last:pb-0">
          <dt className="text-zinc-500 dark:text-zinc-400">{k}</dt>
          <dd className="min-w-0 break-words text-zinc-900 dark:text-zinc-100">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

const none = (text = '—') => <span className="text-zinc-500 dark:text-zinc-400">{text}</span>;
const mono = (text: string) => <span className="font-mono text-xs break-all">{text}</span>;

/** Live: any event about this server refetches it (a task finishing, a refused key, a status change). */
export function useServer(initial: ServerDto) {
  const key = `/api/v1/servers/${initial.id}`;
  const swr = useSeededSWR<ServerDto>(key, initial);
  useRefreshOn([...SERVER_EVENTS, 'task.updated'], (_t, d) => d.serverId === undefined || d.serverId === initial.id, () => void swr.mutate().catch(() => undefined));
  return { server: swr.data ?? initial, gone: (swr.error as { status?: number } | undefined)?.status === 404 };
}

/**
 * The server page's body. Admin-only controls are rendered only for admins, the installs also for
 * operators of this server (`operate`); other users get the same facts read-only. `userEmails`
 * maps user ids to e-mails for the sharing card. `slot` is where other features add their
 * sections (domains on this server).
 */
export function ServerDetail({ initial, admin, operate, userEmails, slot }: { initial: ServerDto; admin: boolean; operate: boolean; userEmails: Record<string, string>; slot?: ReactNode }) {
  const { server: s, gone } = useServer(initial);
  if (gone) return <Notice tone="warning" title="This server was deleted">It no longer exists, or it is no longer shared with you.</Notice>;
  const layout = s.nginxLayout;
  return (
    <div className="space-y-6">
      <HostKeyPanel server={s} admin={admin} />
      {s.lastError && !s.offeredHostKeyFingerprint && (
        <Notice tone="warning" title="The last check found a problem">
          {s.lastError}
        </Notice>
      )}
      {slot}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Connection" description="How Gatehouse signs in over SSH.">
          <Facts
            rows={[
              ['Address', mono(`${s.host}:${s.sshPort}`)],
              ['User', mono(s.sshUser)],
              ['Signs in with', s.authMethod === 'key' ? `private key${s.hasPassphrase ? ' (with passphrase)' : ''}` : 'password'],
              ['Host key', s.hostKeyFingerprint ? mono(s.hostKeyFingerprint) : none('not pinned yet: the next connection pins it')],
              ['Operating system', s.os ?? none('not checked yet')],
              ['Last seen', <Time key="seen" iso={s.lastSeenAt} format="relative" empty="never" />],
              ['Tags', s.tags.length ? <TagChips key="tags" tags={s.tags} href="/servers" /> : none('none')],
            ]}
          />
        </Card>
        <Card
          title="Nginx"
          description={layout ? 'Custom layout.' : 'Distro layout (/etc/nginx).'}
          actions={operate && <ActionButton action={installNginxAction} hidden={{ id: s.id }} variant="secondary">{s.nginx.status === 'running' ? 'Check Nginx set-up' : 'Install Nginx'}</ActionButton>}
        >
          <Facts
            rows={[
              ['Status', <NginxStatus key="n" nginx={s.nginx} />],
              ['Managed directory', mono(layout?.managedDir ?? '/etc/nginx/gatehouse')],
              ['Main config', mono(layout?.mainConfig ?? '/etc/nginx/nginx.conf')],
              ...(layout ? ([['Command', mono(layout.command)], ['PID file', layout.pidFile ? mono(layout.pidFile) : none()], ['Ports', `${layout.httpPort} / ${layout.httpsPort}`]] as [string, ReactNode][]) : []),
            ]}
          />
        </Card>
        <Card title="Monitoring" description="Glances on the server, polled by Gatehouse." actions={operate && <InstallGlancesButton server={s} />}>
          <Facts
            rows={[
              ['Status', <MonitorStatus key="m" server={s} />],
              ['Glances URL', s.glances.url ? mono(s.glances.url) : none('not set')],
              ['API version', s.glances.apiVersion ? `v${s.glances.apiVersion}` : none()],
              ['Sign-in', s.glances.username ? `${s.glances.username}${s.glances.hasPassword ? ' (password set)' : ''}` : none('none')],
            ]}
          />
        </Card>
        {admin && (
          <Card title="Sharing" description="Users who see this server (View) or may also operate it (Operate).">
            {s.shares.length ? (
              <ul className="space-y-1 text-sm">
                {s.shares.map((share) => (
                  <li key={share.userId}>
                    {userEmails[share.userId] ?? share.userId} <span className="text-zinc-500 dark:text-zinc-400">· {share.level === 'operate' ? 'Operate' : 'View'}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-zinc-500 dark:text-zinc-400">Not shared: only admins see it.</p>
            )}
          </Card>
        )}
      </div>
    </div>
  );
}
