import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listTasks } from '@/lib/tasks/service';
import { listServers } from '@/lib/servers/store';
import { PageHeader } from '@/components/ui/page-header';
import { TaskTable } from '@/components/tasks/task-table';

export const metadata: Metadata = { title: 'Tasks' };

export default async function TasksPage() {
  const actor = await requireActor();
  const [first, servers] = await Promise.all([listTasks(actor, { limit: 50 }), listServers(actor, { limit: 500 })]);
  const serverNames = Object.fromEntries(servers.items.map((s) => [s.id, s.name]));
  return (
    <>
      <PageHeader
        title="Tasks"
        description={
          actor.role === 'admin'
            ? 'Long operations on your servers (connection tests, installs, deploys), newest first. Open one to follow its log live.'
            : 'Operations on the servers shared with you, newest first. Open one to follow its log live.'
        }
      />
      <TaskTable initial={first} serverNames={serverNames} />
    </>
  );
}
