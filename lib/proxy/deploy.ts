/**
 * Deploys as tasks: `POST /servers/{id}/deploy` and `POST /domains/{id}/deploy` queue a
 * `proxy.deploy` task (one task per server runs at a time, see lib/tasks/queue.ts) and answer
 * 202 {taskId}. Other features (certificate renewal) call enqueueServerDeploy or runDeploy.
 */
import { atomically } from '@/lib/db';
import type { Actor } from '@/lib/access/actor';
import { requireAdmin } from '@/lib/access/rbac';
import { recordAudit } from '@/lib/audit';
import { getServerRow } from '@/lib/servers/connection';
import { enqueueTask } from '../tasks/service';
import { TaskFailure, type TaskHandlers } from '../tasks/context';
import { findDomain } from './domains';
import { NotFoundError } from '@/lib/errors';
import { runDeploy } from './deploy-run';

export const DEPLOY_TASK = 'proxy.deploy';

/** Queues a deploy of every domain of a server; the answer is the task to follow. */
export async function enqueueServerDeploy(actor: Actor, serverId: string): Promise<{ taskId: string }> {
  requireAdmin(actor);
  await getServerRow(serverId);
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind: DEPLOY_TASK, serverId, input: { scope: 'server' } });
    await recordAudit(actor, 'server.deploy', { type: 'server', id: serverId }, { taskId: task.id });
    return { taskId: task.id };
  });
}

/** Queues a deploy of one domain: its file, its certificate files and upstreams.conf. */
export async function enqueueDomainDeploy(actor: Actor, domainId: string): Promise<{ taskId: string }> {
  requireAdmin(actor);
  const domain = await findDomain(domainId);
  if (!domain) throw new NotFoundError('Domain');
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind: DEPLOY_TASK, serverId: domain.serverId, domainId, input: { scope: 'domain', domainId } });
    await recordAudit(actor, 'domain.deploy', { type: 'domain', id: domainId }, { taskId: task.id, fqdn: domain.fqdn });
    return { taskId: task.id };
  });
}

/** The proxy feature's task handlers by kind (wired by lib/registry.ts). */
export const proxyTaskHandlers: TaskHandlers = {
  [DEPLOY_TASK]: async (ctx) => {
    const { serverId } = ctx.task;
    if (!serverId) throw new TaskFailure('The server of this deploy no longer exists.');
    const input = ctx.task.input ?? {};
    if (input.scope === 'domain') {
      if (typeof input.domainId !== 'string') throw new TaskFailure('The deploy names no domain.');
      const domain = await findDomain(input.domainId);
      if (!domain) throw new TaskFailure('The domain was deleted before its deploy ran.');
      if (domain.serverId !== serverId) throw new TaskFailure('The domain moved to another server before its deploy ran; deploy both servers instead.');
      await ctx.log(`Deploying ${domain.fqdn}.`);
      return runDeploy(serverId, { scope: 'domain', domainId: domain.id }, ctx);
    }
    await ctx.log('Deploying every domain of the server.');
    return runDeploy(serverId, { scope: 'server' }, ctx);
  },
};

export { runDeploy };
