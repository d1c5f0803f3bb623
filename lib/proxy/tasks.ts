import { TaskFailure, type TaskHandlers } from '../tasks/context';
import { DEPLOY_TASK } from './deploy';
import { runDeploy } from './deploy-run';
import { findDomain } from './store';
import { runStreamsDeploy, STREAMS_DEPLOY_TASK } from './stream-deploy';
import { findStream } from './streams';

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
    const report = await runDeploy(serverId, { scope: 'server' }, ctx);
    // The server's streams.conf too (also what removes the block of a deleted stream); a server
    // that never had streams is left alone.
    const quiet = { log: ctx.log.bind(ctx), addSecret: ctx.addSecret.bind(ctx), progress: async () => {} };
    const streams = await runStreamsDeploy(serverId, quiet, { skipUnused: true });
    if (!streams.skipped) report.streams = streams;
    return report;
  },
  [STREAMS_DEPLOY_TASK]: async (ctx) => {
    const { serverId } = ctx.task;
    if (!serverId) throw new TaskFailure('The server of this deploy no longer exists.');
    const streamId = ctx.task.input?.streamId;
    const stream = typeof streamId === 'string' ? await findStream(streamId) : undefined;
    if (stream && stream.serverId !== serverId) throw new TaskFailure('The stream moved to another server before its deploy ran; deploy both servers instead.');
    await ctx.log(`Deploying the TCP/UDP streams of the server${stream ? ` (for ${stream.protocol}/${stream.listenPort})` : ''}.`);
    return runStreamsDeploy(serverId, ctx);
  },
};
