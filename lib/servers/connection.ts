import { eq } from 'drizzle-orm';
import { atomically, getDb } from '../db';
import { open } from '../crypto/secret-box';
import { NotFoundError } from '../errors';
import { publish } from '../events/bus';
import { recordAudit } from '../audit';
import { systemActor } from '../access/actor';
import { withConnection } from '../ssh/pool';
import { HostKeyMismatchError } from '../ssh/errors';
import type { SshTarget } from '../ssh/client';
import type { SshConnection } from '../ssh/connection';

export type ServerRow = typeof import('../db/schema/sqlite').servers.$inferSelect;

/** The SSH target of a server, its secrets opened (for lib use only: never returned or logged). */
export function sshTargetOf(server: ServerRow): SshTarget {
  const auth =
    server.authMethod === 'password'
      ? { type: 'password' as const, password: server.passwordEnc ? open(server.passwordEnc) : '' }
      : {
          type: 'key' as const,
          privateKey: server.privateKeyEnc ? open(server.privateKeyEnc) : '',
          ...(server.passphraseEnc && { passphrase: open(server.passphraseEnc) }),
        };
  return { host: server.host, port: server.sshPort, username: server.sshUser, auth, hostKeyFingerprint: server.hostKeyFingerprint };
}

/** Secret values of a server (SSH and Glances), for task-log redaction. */
export function secretsOf(server: ServerRow): string[] {
  const t = sshTargetOf(server).auth;
  const glances = server.glancesPasswordEnc ? open(server.glancesPasswordEnc) : undefined;
  return [t.type === 'password' ? t.password : t.privateKey, t.type === 'key' ? t.passphrase : undefined, glances].filter((s): s is string => Boolean(s));
}

export async function getServerRow(serverId: string): Promise<ServerRow> {
  const { db, t } = getDb();
  const [row] = await db.select().from(t.servers).where(eq(t.servers.id, serverId)).limit(1);
  if (!row) throw new NotFoundError('Server');
  return row;
}

/**
 * Runs `fn` on the server's pooled SSH connection. The first successful connection pins the host
 * key (trust on first use, audited); a different key later is refused before anything runs, and
 * the offered fingerprint is kept beside the pinned one until an admin trusts it. `fresh`: a new
 * handshake even when a pooled connection is open (the connection test), replacing that one.
 */
export async function withServer<T>(serverId: string, fn: (conn: SshConnection, server: ServerRow) => Promise<T>, opts: { fresh?: boolean } = {}): Promise<T> {
  const server = await getServerRow(serverId);
  try {
    return await withConnection(serverId, sshTargetOf(server), async (conn) => {
      if (!server.hostKeyFingerprint && !conn.hostKey.matchedPin) await pinHostKey(server, conn.hostKey.fingerprint);
      return fn(conn, server);
    }, opts);
  } catch (err) {
    if (err instanceof HostKeyMismatchError) await recordMismatch(server, err);
    throw err;
  }
}

async function pinHostKey(server: ServerRow, fingerprint: string) {
  await atomically(async (db) => {
    const { t } = getDb();
    await db.update(t.servers).set({ hostKeyFingerprint: fingerprint, offeredHostKeyFingerprint: null, updatedAt: new Date() }).where(eq(t.servers.id, server.id));
    await recordAudit(systemActor, 'server.host_key_pinned', { type: 'server', id: server.id }, { fingerprint });
    await publish({ type: 'server.updated', serverId: server.id, data: { serverId: server.id, hostKeyFingerprint: fingerprint } });
  });
  server.hostKeyFingerprint = fingerprint;
}

async function recordMismatch(server: ServerRow, err: HostKeyMismatchError) {
  if (server.offeredHostKeyFingerprint === err.actual) return;
  await atomically(async (db) => {
    const { t } = getDb();
    await db.update(t.servers).set({ offeredHostKeyFingerprint: err.actual, lastError: err.message, updatedAt: new Date() }).where(eq(t.servers.id, server.id));
    await publish({ type: 'server.host_key_mismatch', serverId: server.id, data: { serverId: server.id, expected: err.expected, offered: err.actual } });
  });
}
