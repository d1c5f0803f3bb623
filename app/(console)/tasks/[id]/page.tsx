import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { getTask, getTaskLogs } from '@/lib/tasks/service';
import { getServer } from '@/lib/servers/store';
import { buttonClass } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/page-header';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Time } from '@/components/ui/time';
import { TaskLog } from '@/components/tasks/task-log';
import { taskLabel } from '@/components/tasks/task-kinds';
import { orNotFound } from '../../or-not-found';

export const metadata: Metadata = { title: 'Task' };

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const task = await orNotFound(getTask(actor, id));
  const [logs, server] = await Promise.all([
    getTaskLogs(actor, id, { after: 0, limit: 5000 }),
    task.serverId ? getServer(actor, task.serverId).catch(() => null) : Promise.resolve(null),
  ]);
  return (
    <>
      <Breadcrumb trail={[{ href: '/tasks', label: 'Tasks' }, server && { href: `/servers/${server.id}`, label: server.name }]} />
      <PageHeader
        title={taskLabel(task.kind)}
        description={
          <>
            {server ? <>On {server.name} · </> : null}queued <Time iso={task.createdAt} />
          </>
        }
        actions={
          server && (
            <Link href={`/servers/${server.id}`} className={buttonClass('secondary')}>
              Back to {server.name}
            </Link>
          )
        }
      />
      <TaskLog initialTask={task} initialLines={logs.lines} />
    </>
  );
}
