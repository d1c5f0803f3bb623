/**
 * Bulk actions (`POST /bulk`): one action on many servers as ONE task of kind `bulk.run`, with
 * progress over the items and one log line per item. Each item runs the existing command of its
 * single-server route (connection test, deploy, silence, share), so there is no second code path:
 * those commands check the role, audit and publish events as they always do.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { recordAudit } from '../audit';
import { ValidationError, parseInput, typedError } from '../errors';
import { enqueueTask } from '../tasks/service';
import { TaskFailure, isTaskFailure, type TaskContext, type TaskHandlers } from '../tasks/context';
import { orderedLog, testServerConnection } from '../servers/checks';
import { secretsOf, getServerRow } from '../servers/connection';
import { updateServer } from '../servers/service';
import { sharesOf } from '../servers/store';
import { hasAllTags } from '../servers/tags';
import { runDeploy } from '../proxy/deploy-run';
import { createSilence } from '../alerts/silences';
import { bulkInput, type BulkItemOutcome, type BulkTaskInput } from './schemas';

export const BULK_TASK = 'bulk.run';

/** Resolves the selection (ids or tag) to servers, in name order; 422 when something is missing. */
async function resolveServers(sel: { ids: string[] } | { tag: string }): Promise<{ id: string; name: string }[]> {
  const { db, t } = getDb();
  const cols = { id: t.servers.id, name: t.servers.name };
  if ('tag' in sel) {
    const rows = await db.select(cols).from(t.servers).where(hasAllTags(t.servers.tags, [sel.tag])).orderBy(asc(t.servers.name));
    if (!rows.length) throw ValidationError.field('servers.tag', `No server carries the tag "${sel.tag}".`);
    return rows;
  }
  const ids = [...new Set(sel.ids)];
  const rows = await db.select(cols).from(t.servers).where(inArray(t.servers.id, ids));
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw ValidationError.field('servers.ids', `No server with id ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}.`);
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** Queues the bulk task; admins only, whatever the action. Answers 202 {taskId}. */
export async function startBulk(actor: Actor, input: unknown): Promise<{ taskId: string }> {
  requireAdmin(actor);
  const data = parseInput(bulkInput, input);
  const servers = await resolveServers(data.servers);
  if (data.action === 'share') {
    const { db, t } = getDb();
    const [user] = await db.select({ id: t.users.id }).from(t.users).where(eq(t.users.id, data.userId!)).limit(1);
    if (!user) throw ValidationError.field('userId', `No user with id ${data.userId}.`);
  }
  const taskInput: BulkTaskInput = {
    action: data.action,
    serverIds: servers.map((s) => s.id),
    ...('tag' in data.servers && { tag: data.servers.tag }),
    ...(data.durationMinutes !== undefined && { durationMinutes: data.durationMinutes }),
    ...(data.userId && { userId: data.userId }),
    ...(data.reason && { reason: data.reason }),
  };
  return atomically(async () => {
    const task = await enqueueTask(actor, { kind: BULK_TASK, input: taskInput });
    await recordAudit(actor, 'server.bulk', { type: 'task', id: task.id }, { taskId: task.id, ...taskInput });
    return { taskId: task.id };
  });
}

/** The actor the task acts for: whoever queued it, with their role now (a demoted admin's items fail). */
async function actorOf(ctx: TaskContext): Promise<Actor> {
  const { db, t } = getDb();
  const [u] = await db
    .select({ id: t.users.id, email: t.users.email, name: t.users.name, role: t.users.role, active: t.users.active })
    .from(t.users)
    .where(eq(t.users.id, ctx.task.createdBy ?? ''))
    .limit(1);
  if (!u || !u.active) throw new TaskFailure('The user who started this bulk action no longer exists or was deactivated.');
  return { id: u.id, email: u.email, name: u.name, role: u.role, via: 'system' };
}

/** A thrown error as one sentence for the item's log line (never a stack). */
function describe(err: unknown): string {
  if (isTaskFailure(err)) return err.message;
  const typed = typedError(err);
  if (typed) return typed.message;
  console.error('[gatehouse] bulk item crashed:', (err as Error)?.stack ?? err);
  return 'Failed unexpectedly; see the server log.';
}

type Item = { id: string; name: string };

/** One item: the existing command of the single-server route. Returns the outcome's message. */
async function runItem(ctx: TaskContext, actor: Actor, input: BulkTaskInput, server: Item, now: Date): Promise<{ outcome: 'succeeded' | 'skipped'; message: string }> {
  const prefix = `  ${server.name}: `;
  const itemLog = (text: string, stream?: 'stdout' | 'stderr' | 'info') => ctx.log(text.split('\n').map((l) => prefix + l).join('\n'), stream);
  switch (input.action) {
    case 'test': {
      requireAdmin(actor);
      for (const s of secretsOf(await getServerRow(server.id))) ctx.addSecret(s);
      const { log, flush } = orderedLog(itemLog);
      try {
        const r = await testServerConnection(server.id, log);
        return { outcome: 'succeeded', message: `connection test passed${r.os ? ` (${r.os})` : ''}` };
      } finally {
        await flush();
      }
    }
    case 'deploy': {
      requireAdmin(actor);
      const r = await runDeploy(server.id, { scope: 'server' }, { log: itemLog, progress: async () => {}, addSecret: ctx.addSecret });
      await recordAudit(actor, 'server.deploy', { type: 'server', id: server.id }, { taskId: ctx.task.id, bulk: true });
      return { outcome: 'succeeded', message: `deployed (${r.uploaded.length} file${r.uploaded.length === 1 ? '' : 's'} uploaded, ${r.removed.length} removed)` };
    }
    case 'silence': {
      const endsAt = new Date(now.getTime() + (input.durationMinutes ?? 60) * 60_000);
      await createSilence(actor, { serverId: server.id, endsAt: endsAt.toISOString(), reason: input.reason || 'Bulk silence' }, now);
      return { outcome: 'succeeded', message: `silenced until ${endsAt.toISOString()}` };
    }
    case 'share': {
      const current = (await sharesOf([server.id])).get(server.id) ?? [];
      if (current.some((s) => s.userId === input.userId)) return { outcome: 'skipped', message: 'already shared with this user' };
      // `shares` keeps every existing level (writing `sharedWith` would make them all `view`).
      await updateServer(actor, server.id, { shares: [...current, { userId: input.userId!, level: 'view' }] });
      return { outcome: 'succeeded', message: 'shared' };
    }
  }
}

async function runBulk(ctx: TaskContext): Promise<Record<string, unknown>> {
  const input = ctx.task.input as BulkTaskInput;
  const actor = await actorOf(ctx);
  const { db, t } = getDb();
  const found = await db.select({ id: t.servers.id, name: t.servers.name }).from(t.servers).where(inArray(t.servers.id, input.serverIds));
  const byId = new Map(found.map((s) => [s.id, s]));
  const total = input.serverIds.length;
  const now = new Date();
  await ctx.log(`Bulk ${input.action} on ${total} server${total === 1 ? '' : 's'}${input.tag ? ` tagged ${input.tag}` : ''}.`);
  const items: BulkItemOutcome[] = [];
  for (const [i, id] of input.serverIds.entries()) {
    if (ctx.signal.aborted) break;
    const server = byId.get(id);
    const n = `[${i + 1}/${total}]`;
    if (!server) {
      items.push({ serverId: id, name: id, outcome: 'skipped', message: 'the server was deleted' });
      await ctx.log(`${n} skipped ${id}: the server was deleted`);
    } else {
      await ctx.log(`${n} ${server.name}: ${input.action}…`);
      try {
        const r = await runItem(ctx, actor, input, server, now);
        items.push({ serverId: id, name: server.name, ...r });
        await ctx.log(`${n} ${r.outcome === 'succeeded' ? 'ok' : 'skipped'} ${server.name}: ${r.message}`);
      } catch (err) {
        const message = describe(err);
        items.push({ serverId: id, name: server.name, outcome: 'failed', message });
        await ctx.log(`${n} failed ${server.name}: ${message}`, 'stderr');
      }
    }
    await ctx.progress(((i + 1) / total) * 100);
  }
  const failed = items.filter((i) => i.outcome === 'failed');
  const succeeded = items.filter((i) => i.outcome === 'succeeded').length;
  await ctx.log(`Done: ${succeeded} succeeded, ${failed.length} failed, ${items.length - succeeded - failed.length} skipped.`);
  if (failed.length) {
    const names = failed.slice(0, 5).map((f) => f.name).join(', ');
    throw new TaskFailure(`${failed.length} of ${total} servers failed: ${names}${failed.length > 5 ? ` and ${failed.length - 5} more` : ''}.`);
  }
  return { action: input.action, total, succeeded, failed: 0, items };
}

/** The bulk feature's task handlers by kind (wired by lib/registry.ts). */
export const bulkTaskHandlers: TaskHandlers = { [BULK_TASK]: runBulk };
