import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireActor } from '@/lib/auth/session';
import { NotFoundError } from '@/lib/errors';
import { getTask, getTaskLogs } from '@/lib/tasks/service';
import { getServer } from '@/lib/servers/store';
import { buttonClass } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/page-header';
import { Time } from '@/components/ui/time';
import { TaskLog } from '@/components/tasks/task-log';
import { taskLabel } from '@/components/tasks/task-kinds';

export const metadata: Metadata = { title: 'Task' };

/** Not shared, or gone: the same 404 either way. */
async function orNotFound<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}

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
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
        <Link href="/tasks" className="hover:underline">
          Tasks
        </Link>
        {server && (
          <>
            {' / '}
            <Link href={`/servers/${server.id}`} className="hover:underline">
              {server.name}
            </Link>
          </>
        )}
      </nav>
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
