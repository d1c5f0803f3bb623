import { atomically } from '../db';
import type { Actor } from '../access/actor';
import { requireServerOperate } from '../access/rbac';
import { recordAudit } from '../audit';
import { NotFoundError, ValidationError, parseInput } from '../errors';
import { checkTargetHost } from '../nginx/grammar';
import { enqueueTask } from '../tasks/service';
import type { TaskContext, TaskHandlers } from '../tasks/context';
import { getServerRow, secretsOf } from './connection';
import { orderedLog, testServerConnection, type LogFn } from './checks';
import { installGlances, installNginx } from './install';
import { findServerRow } from './store';
import { installGlancesInput } from './schemas';

export const SERVER_TASK_KINDS = {
  test: 'server.test',
  installNginx: 'server.install_nginx',
  installGlances: 'server.install_glances',
} as const;

/** Admins and operators of the server (lib/access/rbac.ts). */
async function start(actor: Actor, serverId: string, kind: string, input?: Record<string, unknown>, audit?: string): Promise<{ taskId: string }> {
  await requireServerOperate(actor, serverId);
  const server = await findServerRow(serverId);
  if (!server) throw new NotFoundError('Server');
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind, serverId, input });
    if (audit) await recordAudit(actor, audit, { type: 'server', id: serverId }, { taskId: task.id, ...input });
    return { taskId: task.id };
  });
}

/** Queues a connection test (SSH, sudo, OS, Nginx, Glances). */
export function startConnectionTest(actor: Actor, serverId: string) {
  return start(actor, serverId, SERVER_TASK_KINDS.test);
}

/** Queues the Nginx install/set-up (idempotent). */
export function startNginxInstall(actor: Actor, serverId: string) {
  return start(actor, serverId, SERVER_TASK_KINDS.installNginx, undefined, 'server.install_nginx');
}

/**
 * Queues the Glances install. The bind address must be explicit (Glances' API has no auth of its
 * own): by default the server's host when that is an IP address, else the admin must give one.
 */
export async function startGlancesInstall(actor: Actor, serverId: string, body: unknown) {
  await requireServerOperate(actor, serverId);
  const data = parseInput(installGlancesInput, body ?? {});
  const server = await findServerRow(serverId);
  if (!server) throw new NotFoundError('Server');
  let bind = data.bind;
  if (!bind) {
    const host = checkTargetHost(server.host);
    if (!host.ok || host.value.kind === 'hostname') {
      throw ValidationError.field('bind', "The server's host is a name, not an address: enter the IP address Glances should listen on.");
    }
    bind = host.value.host;
  }
  return start(actor, serverId, SERVER_TASK_KINDS.installGlances, { bind, port: data.port }, 'server.install_glances');
}

/** Runs a handler with the server's secrets redacted and its log lines kept in order. */
function serverTask(run: (ctx: TaskContext, serverId: string, log: LogFn) => Promise<Record<string, unknown>>) {
  return async (ctx: TaskContext) => {
    const serverId = ctx.task.serverId;
    if (!serverId) throw new Error('server task without a server');
    for (const s of secretsOf(await getServerRow(serverId))) ctx.addSecret(s);
    const { log, flush } = orderedLog(ctx.log);
    try {
      return await run(ctx, serverId, log);
    } finally {
      await flush();
    }
  };
}

/** The servers feature's task handlers by kind (wired by lib/registry.ts). */
export const serverTaskHandlers: TaskHandlers = {
  [SERVER_TASK_KINDS.test]: serverTask(async (_ctx, serverId, log) => ({ ...(await testServerConnection(serverId, log)) })),
  [SERVER_TASK_KINDS.installNginx]: serverTask(async (ctx, serverId, log) => ({ ...(await installNginx(serverId, log, (p) => void ctx.progress(p).catch(() => undefined))) })),
  [SERVER_TASK_KINDS.installGlances]: serverTask(async (ctx, serverId, log) => {
    const input = ctx.task.input as { bind: string; port: number };
    return { ...(await installGlances(serverId, input, log, (p) => void ctx.progress(p).catch(() => undefined))) };
  }),
};
