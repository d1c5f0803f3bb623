/**
 * How certificate changes reach Nginx: through lib/proxy's deploy, which renders the domain's
 * file, writes its certificate and key files (key 0600) into the managed directory, uploads only
 * what differs from the server (a renewed certificate always differs), runs `nginx -t` and
 * reloads. So a new certificate is served as soon as the deploy ends.
 */
import type { Actor } from '../access/actor';
import type { TaskContext } from '../tasks/context';
import { enqueueDomainDeploy } from '../proxy/deploy';
import { runDeploy } from '../proxy/deploy-run';

/**
 * Deploys one domain inside a running certificate task: the task already holds the server's slot
 * (one task per server), so a queued deploy would only start after it. Progress is mapped into
 * [from, to] of the certificate task's own bar.
 */
export async function deployForCertificate(ctx: TaskContext, serverId: string, domainId: string, range: [number, number] = [80, 99]): Promise<void> {
  const [from, to] = range;
  await runDeploy(serverId, { scope: 'domain', domainId }, {
    log: ctx.log,
    addSecret: ctx.addSecret,
    progress: (pct) => ctx.progress(from + ((to - from) * pct) / 100),
  });
}

/** Queues a deploy of the domain after a change made outside a task (an upload); returns the task id. */
export async function enqueueDeploy(actor: Actor, domainId: string): Promise<string> {
  return (await enqueueDomainDeploy(actor, domainId)).taskId;
}
