import { TaskFailure, type TaskHandlers } from '../tasks/context';
import { DEPLOY_TASK } from './deploy';
import { runDeploy } from './deploy-run';
import { findDomain } from './store';

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
