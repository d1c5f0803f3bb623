import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { getServer } from '@/lib/servers/store';
import { listTasks } from '@/lib/tasks/service';
import { listUsers } from '@/lib/users/service';
import { getFleetServer } from '@/lib/monitoring/fleet';
import { getServerUptime } from '@/lib/monitoring/uptime';
import { listDomains } from '@/lib/proxy/domains';
import { listAlerts } from '@/lib/alerts/store';
import { ServerOverview } from '@/components/servers/server-overview';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { ServerActions } from '@/components/servers/server-actions';
import { ServerDetail } from '@/components/servers/server-detail';
import { ServerTabs } from '@/components/servers/server-tabs';
import { TaskTable } from '@/components/tasks/task-table';
import { orNotFound } from '../../or-not-found';

export const metadata: Metadata = { title: 'Server' };

export default async function ServerPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ added?: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const { added } = await searchParams;
  const admin = actor.role === 'admin';
  const server = await orNotFound(getServer(actor, id));
  // Operators of this server get the buttons its operate level allows (lib/access/rbac.ts).
  const operate = admin || server.shares.some((s) => s.userId === actor.id && s.level === 'operate');
  const [tasks, users, fleet, uptime, domains, incidents] = await Promise.all([
    listTasks(actor, { limit: 10, serverId: id }),
    admin ? listUsers(actor, { limit: 500 }) : Promise.resolve(null),
    getFleetServer(actor, id),
    getServerUptime(actor, id),
    listDomains(actor, { limit: 10, serverId: id }),
    listAlerts(actor, { limit: 5, serverId: id }),
  ]);
  const userEmails = Object.fromEntries((users?.items ?? []).map((u) => [u.id, u.email]));
  return (
    <>
      <Breadcrumb trail={[{ href: '/servers', label: 'Servers' }]} />
      <PageHeader
        title={server.name}
        description={
          <span className="font-mono">
            {server.sshUser}@{server.host}:{server.sshPort}
          </span>
        }
        actions={operate && <ServerActions initial={server} users={users?.items ?? []} admin={admin} />}
      />
      <ServerTabs id={server.id} current="overview" />
      {added && !server.hostKeyFingerprint && (
        <div className="mb-6">
          <Notice tone="success" title="Server added" role="status">
            Test the connection next: it pins the host key and shows whether Gatehouse can act as root, which OS runs and whether Nginx is there.
          </Notice>
        </div>
      )}
      <ServerDetail
        initial={server}
        admin={admin}
        operate={operate}
        userEmails={userEmails}
        slot={<ServerOverview fleet={fleet} uptime={uptime} domains={domains.items} moreDomains={domains.nextCursor !== null} incidents={incidents.items} />}
      />
      <section aria-labelledby="server-tasks" className="mt-8">
        <div className="mb-3 flex items-baseline justify-between">
          <h2 id="server-tasks" className="text-base font-semibold">
            Recent tasks
          </h2>
          <Link href="/tasks" className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
            All tasks →
          </Link>
        </div>
        <TaskTable initial={tasks} serverNames={{ [server.id]: server.name }} serverId={server.id} limit={10} caption={`Recent tasks on ${server.name}`} />
      </section>
    </>
  );
}
