import { eq, inArray } from 'drizzle-orm';
import { utils as sshUtils } from 'ssh2';
import { afterCommit, atomically, getDb, newId } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { open, seal } from '../crypto/secret-box';
import type { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError, parseInput, zodFields } from '../errors';
import { toLf } from '../nginx/grammar';
import { recordAudit } from '../audit';
import { publish } from '../events/bus';
import { getSshPool } from '../ssh/pool';
import type { ServerRow } from './connection';
import { toNginxLayoutSetting } from './layout';
import { domainsOnServer, findServerRow, sharesOf, toServerDto } from './store';
import { serverCreateInput, serverPatchInput, trustHostKeyInput, type ServerDto, type ShareDto } from './schemas';

type Db = ReturnType<typeof getDb>['db'];

/** A key ssh2 cannot read would only fail later, at the first connection: refuse it now. */
function checkPrivateKey(privateKey: string, passphrase: string | null | undefined): void {
  const parsed = sshUtils.parseKey(privateKey, passphrase || undefined);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key) {
    const encrypted = key instanceof Error && /passphrase/i.test(key.message);
    throw encrypted
      ? ValidationError.field('passphrase', passphrase ? 'This passphrase does not open the private key.' : 'This private key is encrypted: enter its passphrase.')
      : ValidationError.field('privateKey', 'This is not a private key Gatehouse can read (OpenSSH or PEM format).');
  }
  if (!key.isPrivateKey()) throw ValidationError.field('privateKey', 'This is a public key: paste the private key.');
}

/**
 * Parses server input and reads a pasted private key in the same pass, so one answer lists every
 * field that is wrong (a bad port, a bad host and an unreadable key together), not one per submit.
 */
function parseCreate(input: unknown): z.output<typeof serverCreateInput> {
  const r = serverCreateInput.safeParse(input);
  const fields = r.success ? {} : zodFields(r.error);
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const method = r.success ? r.data.authMethod : raw.authMethod;
  const key = r.success ? r.data.privateKey : typeof raw.privateKey === 'string' ? toLf(raw.privateKey) : undefined;
  if (method === 'key' && key && !fields.privateKey) {
    try {
      checkPrivateKey(key, typeof raw.passphrase === 'string' ? raw.passphrase : undefined);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const [k, v] of Object.entries(err.fields ?? {})) (fields[k] ??= []).push(...v);
    }
  }
  if (!r.success || Object.keys(fields).length) throw new ValidationError(fields);
  return r.data;
}

async function assertNameFree(db: Db, name: string, exceptId?: string) {
  const { t } = getDb();
  const [row] = await db.select({ id: t.servers.id }).from(t.servers).where(eq(t.servers.name, name)).limit(1);
  if (row && row.id !== exceptId) throw new ConflictError('server_exists', `A server named "${name}" already exists.`, undefined, 'name');
}

/** The shares a request asks for: `shares` as given, or `sharedWith` (each at `view`); undefined: unchanged. */
function requestedShares(data: { sharedWith?: string[]; shares?: ShareDto[] }): ShareDto[] | undefined {
  if (data.shares) return data.shares;
  if (data.sharedWith) return [...new Set(data.sharedWith)].map((userId) => ({ userId, level: 'view' as const }));
  return undefined;
}

const byUser = (a: ShareDto, b: ShareDto) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

async function replaceShares(db: Db, serverId: string, wanted: ShareDto[], field: 'shares' | 'sharedWith'): Promise<ShareDto[]> {
  const { t } = getDb();
  const list = [...wanted].sort(byUser);
  const ids = list.map((s) => s.userId);
  if (ids.length) {
    const found = await db.select({ id: t.users.id }).from(t.users).where(inArray(t.users.id, ids));
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw ValidationError.field(field, `No user with id ${missing.join(', ')}.`);
  }
  await db.delete(t.serverShares).where(eq(t.serverShares.serverId, serverId));
  if (list.length) await db.insert(t.serverShares).values(list.map((s) => ({ serverId, userId: s.userId, level: s.level })));
  return list;
}

export async function createServer(actor: Actor, input: unknown): Promise<ServerDto> {
  requireAdmin(actor);
  const data = parseCreate(input);
  return atomically(async (db) => {
    const { t } = getDb();
    await assertNameFree(db, data.name);
    const now = new Date();
    const row: ServerRow = {
      id: newId(),
      name: data.name,
      host: data.host,
      sshPort: data.sshPort,
      sshUser: data.sshUser,
      authMethod: data.authMethod,
      passwordEnc: data.authMethod === 'password' ? seal(data.password!) : null,
      privateKeyEnc: data.authMethod === 'key' ? seal(data.privateKey!) : null,
      passphraseEnc: data.authMethod === 'key' && data.passphrase ? seal(data.passphrase) : null,
      hostKeyFingerprint: data.hostKeyFingerprint ?? null,
      offeredHostKeyFingerprint: null,
      glancesUrl: data.glances?.url ?? null,
      glancesUsername: data.glances?.username || null,
      glancesPasswordEnc: data.glances?.password ? seal(data.glances.password) : null,
      glancesApiVersion: null,
      monitoringEnabled: data.monitoringEnabled,
      status: 'unknown',
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      lastSeenAt: null,
      lastError: null,
      lastSample: null,
      os: null,
      osFamily: null,
      nginxStatus: 'unknown',
      nginxVersion: null,
      nginxPaths: data.nginxLayout ? toNginxLayoutSetting(data.nginxLayout) : null,
      tags: data.tags,
      createdAt: now,
      updatedAt: now,
    };
    await db.insert(t.servers).values(row);
    const shared = await replaceShares(db, row.id, requestedShares(data) ?? [], data.shares ? 'shares' : 'sharedWith');
    await recordAudit(actor, 'server.create', { type: 'server', id: row.id }, {
      name: row.name, host: row.host, sshPort: row.sshPort, sshUser: row.sshUser, authMethod: row.authMethod, sharedWith: shared.map((s) => s.userId), tags: row.tags,
      ...(row.hostKeyFingerprint && { hostKeyFingerprint: row.hostKeyFingerprint }),
    });
    await publish({ type: 'server.created', serverId: row.id, data: { serverId: row.id } });
    if (shared.length) {
      await recordAudit(actor, 'server.shares', { type: 'server', id: row.id }, { shares: shared });
      await publish({ type: 'server.shares', serverId: row.id, data: { serverId: row.id } });
    }
    return toServerDto(row, shared, actor);
  });
}

export async function updateServer(actor: Actor, id: string, input: unknown): Promise<ServerDto> {
  requireAdmin(actor);
  const patch = parseInput(serverPatchInput, input);
  const current = await findServerRow(id);
  if (!current) throw new NotFoundError('Server');
  const authMethod = patch.authMethod ?? current.authMethod;
  const switching = authMethod !== current.authMethod;
  if (authMethod === 'password' && switching && !patch.password) throw ValidationError.field('password', 'Enter the SSH password.');
  if (authMethod === 'key' && (patch.privateKey || patch.passphrase !== undefined || switching)) {
    const key = patch.privateKey ?? (current.privateKeyEnc && !switching ? open(current.privateKeyEnc) : undefined);
    if (!key) throw ValidationError.field('privateKey', 'Paste the private key.');
    // A new key comes with its own passphrase (or none): the old one is not carried over.
    const passphrase = patch.passphrase !== undefined || patch.privateKey ? patch.passphrase : current.passphraseEnc ? open(current.passphraseEnc) : null;
    checkPrivateKey(key, passphrase);
  }

  const changes: Partial<ServerRow> = {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.host !== undefined && { host: patch.host }),
    ...(patch.sshPort !== undefined && { sshPort: patch.sshPort }),
    ...(patch.sshUser !== undefined && { sshUser: patch.sshUser }),
    ...(patch.monitoringEnabled !== undefined && { monitoringEnabled: patch.monitoringEnabled }),
    ...(patch.tags !== undefined && { tags: patch.tags }),
    // Switching method drops the other method's secrets: nothing unused stays stored.
    ...(switching && { authMethod, passwordEnc: null, privateKeyEnc: null, passphraseEnc: null }),
    ...(authMethod === 'password' && patch.password && { passwordEnc: seal(patch.password) }),
    ...(authMethod === 'key' && patch.privateKey && { privateKeyEnc: seal(patch.privateKey) }),
    ...(authMethod === 'key' && (patch.passphrase !== undefined || patch.privateKey) && { passphraseEnc: patch.passphrase ? seal(patch.passphrase) : null }),
    ...(patch.glances?.url !== undefined && { glancesUrl: patch.glances.url, glancesApiVersion: null }),
    ...(patch.glances?.username !== undefined && { glancesUsername: patch.glances.username || null }),
    ...(patch.glances?.password !== undefined && { glancesPasswordEnc: patch.glances.password ? seal(patch.glances.password) : null }),
    // Another layout is another Nginx: what we knew about the old one no longer holds.
    ...(patch.nginxLayout !== undefined && {
      nginxPaths: patch.nginxLayout ? toNginxLayoutSetting(patch.nginxLayout) : null,
      nginxStatus: 'unknown' as const,
      nginxVersion: null,
    }),
    updatedAt: new Date(),
  };
  const sshChanged = ['host', 'sshPort', 'sshUser', 'authMethod', 'passwordEnc', 'privateKeyEnc', 'passphraseEnc'].some((k) => k in changes);

  return atomically(async (db) => {
    const { t } = getDb();
    if (patch.name !== undefined && patch.name !== current.name) await assertNameFree(db, patch.name, id);
    await db.update(t.servers).set(changes).where(eq(t.servers.id, id));
    let shared = (await sharesOf([id])).get(id) ?? [];
    const wanted = requestedShares(patch);
    const sharesChanged = wanted !== undefined && JSON.stringify([...wanted].sort(byUser)) !== JSON.stringify(shared);
    if (wanted !== undefined) shared = await replaceShares(db, id, wanted, patch.shares ? 'shares' : 'sharedWith');
    const { password, privateKey, passphrase, glances, shares: _shares, sharedWith: _sharedWith, ...plain } = patch;
    await recordAudit(actor, 'server.update', { type: 'server', id }, {
      ...plain,
      ...(wanted !== undefined && { sharedWith: shared.map((s) => s.userId) }),
      ...(glances && { glances: { ...(glances.url !== undefined && { url: glances.url }), ...(glances.username !== undefined && { username: glances.username }) } }),
      ...(password && { passwordChanged: true }),
      ...(privateKey && { privateKeyChanged: true }),
      ...(passphrase !== undefined && { passphraseChanged: true }),
      ...(glances?.password !== undefined && { glancesPasswordChanged: true }),
    });
    // Every change of who may see or operate the server, with the whole new list and its levels.
    if (sharesChanged) await recordAudit(actor, 'server.shares', { type: 'server', id }, { shares: shared });
    await publish({ type: 'server.updated', serverId: id, data: { serverId: id } });
    if (sharesChanged) await publish({ type: 'server.shares', serverId: id, data: { serverId: id } });
    if (sshChanged) afterCommit(() => getSshPool().evict(id));
    return toServerDto({ ...current, ...changes }, shared, actor);
  });
}

/**
 * Deletes a server and what belongs only to it (tasks, metrics, alerts, shares: the foreign keys
 * cascade). Domains are the admin's work: while any lives on the server, 409 names them.
 */
export async function deleteServer(actor: Actor, id: string): Promise<void> {
  requireAdmin(actor);
  await atomically(async (db) => {
    const { t } = getDb();
    const current = await findServerRow(id);
    if (!current) throw new NotFoundError('Server');
    const domains = await domainsOnServer(id);
    if (domains.length) {
      const names = domains.map((d) => d.fqdn);
      const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
      throw new ConflictError('server_has_domains', `Move or delete the domains on this server first: ${shown}.`, { domains });
    }
    await db.delete(t.servers).where(eq(t.servers.id, id));
    await recordAudit(actor, 'server.delete', { type: 'server', id }, { name: current.name, host: current.host });
    await publish({ type: 'server.deleted', serverId: id, data: { serverId: id } });
    afterCommit(() => getSshPool().evict(id));
  });
}

/**
 * Re-pins the host key after a refused connection: to `fingerprint` when given (an admin who
 * checked it out of band), else to the one the refused connection offered. It never clears the
 * pin, so there is no window in which any key would be accepted.
 */
export async function trustHostKey(actor: Actor, id: string, input: unknown): Promise<ServerDto> {
  requireAdmin(actor);
  const data = parseInput(trustHostKeyInput, input ?? {});
  return atomically(async (db) => {
    const { t } = getDb();
    const current = await findServerRow(id);
    if (!current) throw new NotFoundError('Server');
    const fingerprint = data.fingerprint ?? current.offeredHostKeyFingerprint;
    if (!fingerprint) {
      throw new ConflictError('no_offered_host_key', 'No refused host key to trust. Run a connection test first, or give the fingerprint to pin.');
    }
    const changes = { hostKeyFingerprint: fingerprint, offeredHostKeyFingerprint: null, lastError: null, updatedAt: new Date() };
    await db.update(t.servers).set(changes).where(eq(t.servers.id, id));
    await recordAudit(actor, 'server.host_key_trusted', { type: 'server', id }, { previous: current.hostKeyFingerprint, fingerprint });
    await publish({ type: 'server.updated', serverId: id, data: { serverId: id, hostKeyFingerprint: fingerprint } });
    afterCommit(() => getSshPool().evict(id));
    const shares = await sharesOf([id]);
    return toServerDto({ ...current, ...changes }, shares.get(id) ?? [], actor);
  });
}
