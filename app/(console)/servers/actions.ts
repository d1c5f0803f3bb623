'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { portSchema } from '@/lib/nginx/grammar';
import { createServer, deleteServer, trustHostKey, updateServer } from '@/lib/servers/service';
import { getServer } from '@/lib/servers/store';
import { startConnectionTest, startGlancesInstall, startNginxInstall } from '@/lib/servers/tasks';
import { startBulk } from '@/lib/bulk/service';

const byId = z.object({ id: z.string().min(1) });
const text = z.string().optional();
/** A port as typed: lib judges it (with every other field in one answer), so any text passes here. */
const port = z.union([z.number(), z.string()]).optional();

/**
 * The server form, flat: nested API fields are named by their path ("glances.url"), so the
 * errors lib returns for `glances.url` land beside the right input. The lib validates everything.
 */
const serverForm = z.object({
  id: text,
  name: text,
  host: text,
  sshPort: port,
  sshUser: text,
  authMethod: text,
  password: text,
  privateKey: text,
  passphrase: text,
  hostKeyFingerprint: text,
  'glances.url': text,
  'glances.username': text,
  'glances.password': text,
  monitoringEnabled: z.boolean().optional(),
  sharedWith: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  shareLevels: z.array(z.string()).optional(),
  customLayout: z.boolean().optional(),
  'nginxLayout.managedDir': text,
  'nginxLayout.mainConfig': text,
  'nginxLayout.command': text,
  'nginxLayout.pidFile': text,
  'nginxLayout.httpPort': port,
  'nginxLayout.httpsPort': port,
});
type ServerForm = z.input<typeof serverForm>;

/**
 * The share editor's checked users (`sharedWith`) with their chosen levels (`shareLevels`, as
 * `userId:level`) → the API's `shares`.
 */
function sharesFromForm(sharedWith: string[], shareLevels: string[] | undefined) {
  return [...new Set(sharedWith.filter(Boolean))].map((userId) => {
    const level = (shareLevels ?? []).find((v) => v.startsWith(`${userId}:`))?.slice(userId.length + 1);
    return { userId, level: level === 'operate' ? ('operate' as const) : ('view' as const) };
  });
}
const shareFields = { sharedWith: ['shares', 'sharedWith'] } as const;

/** Empty secret fields mean "keep what is stored". */
const secret = (v: string | undefined) => (v ? v : undefined);

function toInput(f: ServerForm, creating: boolean): Record<string, unknown> {
  const layout = f.customLayout
    ? {
        managedDir: f['nginxLayout.managedDir'] ?? '',
        mainConfig: f['nginxLayout.mainConfig'] ?? '',
        command: f['nginxLayout.command'] ?? '',
        pidFile: f['nginxLayout.pidFile'] || null,
        httpPort: f['nginxLayout.httpPort'],
        httpsPort: f['nginxLayout.httpsPort'],
      }
    : null;
  return {
    name: f.name ?? '',
    host: f.host ?? '',
    sshPort: f.sshPort,
    sshUser: f.sshUser || undefined,
    authMethod: f.authMethod,
    password: f.authMethod === 'password' ? secret(f.password) : undefined,
    privateKey: f.authMethod === 'key' ? secret(f.privateKey) : undefined,
    passphrase: f.authMethod === 'key' ? secret(f.passphrase) : undefined,
    ...(creating && f.hostKeyFingerprint && { hostKeyFingerprint: f.hostKeyFingerprint }),
    glances: { url: f['glances.url'] ?? '', username: f['glances.username'] || null, password: secret(f['glances.password']) },
    monitoringEnabled: f.monitoringEnabled,
    ...(f.sharedWith !== undefined && { shares: sharesFromForm(f.sharedWith, f.shareLevels) }),
    ...(f.tags !== undefined && { tags: f.tags }),
    nginxLayout: layout,
  };
}

export const createServerAction = formAction(
  serverForm,
  async (data, actor) => {
    const server = await createServer(actor, toInput(data, true));
    redirect(`/servers/${server.id}?added=1`);
  },
  { admin: true, revalidate: '/servers', fields: shareFields },
);

export const updateServerAction = formAction(
  serverForm,
  async (data, actor) => {
    const server = await updateServer(actor, data.id ?? '', toInput(data, false));
    return `Saved ${server.name}.`;
  },
  { admin: true, revalidate: '/servers', fields: shareFields },
);

export const shareServerAction = formAction(
  byId.extend({ sharedWith: z.array(z.string()).optional(), shareLevels: z.array(z.string()).optional() }),
  async ({ id, sharedWith, shareLevels }, actor) => {
    const server = await updateServer(actor, id, { shares: sharesFromForm(sharedWith ?? [], shareLevels) });
    const n = server.shares.length;
    const operators = server.shares.filter((s) => s.level === 'operate').length;
    if (!n) return `${server.name} is no longer shared.`;
    return `${server.name} is shared with ${n} user${n === 1 ? '' : 's'}${operators ? ` (${operators} may operate it)` : ''}.`;
  },
  { admin: true, revalidate: '/servers', fields: shareFields },
);

export const deleteServerAction = formAction(
  byId,
  async ({ id }, actor) => {
    await deleteServer(actor, id);
    redirect('/servers?deleted=1');
  },
  { admin: true, revalidate: '/servers' },
);

export const trustHostKeyAction = formAction(
  byId.extend({ fingerprint: z.string().optional() }),
  async ({ id, fingerprint }, actor) => {
    const server = await trustHostKey(actor, id, fingerprint ? { fingerprint } : {});
    return `Trusted the new host key of ${server.name}. Run a connection test to check it.`;
  },
  { admin: true },
);

// Starting a task leads to its page, where the log streams live.
// Admins and operators of the server (lib/servers/tasks.ts checks which).
export const testServerAction = formAction(byId, async ({ id }, actor) => redirect(`/tasks/${(await startConnectionTest(actor, id)).taskId}`));

export const installNginxAction = formAction(byId, async ({ id }, actor) => redirect(`/tasks/${(await startNginxInstall(actor, id)).taskId}`));

export const installGlancesAction = formAction(
  byId.extend({ bind: text, port: portSchema.optional() }),
  async ({ id, bind, port }, actor) => {
    await getServer(actor, id);
    const { taskId } = await startGlancesInstall(actor, id, { ...(bind && { bind }), ...(port !== undefined && { port }) });
    redirect(`/tasks/${taskId}`);
  },
);

/**
 * Bulk actions on the servers ticked in the list (or every server with a tag): one task, whose
 * page shows the progress and each server's outcome.
 */
export const bulkServersAction = formAction(
  z.object({
    action: text,
    ids: z.array(z.string()).optional(),
    tag: text,
    durationMinutes: z.coerce.number().optional(),
    userId: text,
  }),
  async ({ action, ids, tag, durationMinutes, userId }, actor) => {
    const { taskId } = await startBulk(actor, {
      action,
      servers: ids?.length || !tag ? { ids: ids ?? [] } : { tag },
      ...(action === 'silence' && { durationMinutes }),
      ...(action === 'share' && userId && { userId }),
    });
    redirect(`/tasks/${taskId}`);
  },
  { admin: true, fields: { ids: 'servers.ids', tag: 'servers.tag' } },
);
