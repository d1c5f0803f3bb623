/**
 * Deploys as tasks: `POST /servers/{id}/deploy` and `POST /domains/{id}/deploy` queue a
 * `proxy.deploy` task (one task per server runs at a time, see lib/tasks/store.ts) and answer
 * 202 {taskId}. Other features (certificate renewal) call enqueueDomainDeploy, or runDeploy
 * (deploy-run.ts) inside a task of their own.
 */
import { atomically } from '../db';
import type { Actor } from '../access/actor';
import { requireServerOperate } from '../access/rbac';
import { recordAudit } from '../audit';
import { getServerRow } from '../servers/connection';
import { enqueueTask } from '../tasks/service';
import { findDomain } from './store';
import { NotFoundError } from '../errors';

export const DEPLOY_TASK = 'proxy.deploy';

/** Queues a deploy of every domain of a server (admins and its operators); the answer is the task to follow. */
export async function enqueueServerDeploy(actor: Actor, serverId: string): Promise<{ taskId: string }> {
  await requireServerOperate(actor, serverId);
  await getServerRow(serverId);
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind: DEPLOY_TASK, serverId, input: { scope: 'server' } });
    await recordAudit(actor, 'server.deploy', { type: 'server', id: serverId }, { taskId: task.id });
    return { taskId: task.id };
  });
}

/** Queues a deploy of one domain: its file, its certificate files and upstreams.conf. */
export async function enqueueDomainDeploy(actor: Actor, domainId: string): Promise<{ taskId: string }> {
  const domain = await findDomain(domainId);
  if (!domain) throw new NotFoundError('Domain');
  await requireServerOperate(actor, domain.serverId, 'Domain');
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind: DEPLOY_TASK, serverId: domain.serverId, domainId, input: { scope: 'domain', domainId } });
    await recordAudit(actor, 'domain.deploy', { type: 'domain', id: domainId }, { taskId: task.id, fqdn: domain.fqdn });
    return { taskId: task.id };
  });
}
