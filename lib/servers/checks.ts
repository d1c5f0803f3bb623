import { eq } from 'drizzle-orm';
import { getDb } from '../db';
import { open } from '../crypto/secret-box';
import { publish } from '../events/bus';
import { formatHostPort } from '../nginx/grammar';
import { detectServer, type ConnectionReport } from '../provision/detect';
import { PlanStepError } from '../provision/run-plan';
import { UnsupportedOsError } from '../provision/plans';
import { GlancesClient, GlancesError, type GlancesApiVersion } from '../glances/client';
import { SshError, SudoNotAllowedError, SudoPasswordRequiredError } from '../ssh/errors';
import { sudoFailure } from '../ssh/sudo';
import { cmd } from '../ssh/quote';
import type { SshConnection } from '../ssh/connection';
import { TaskFailure } from '../tasks/context';
import { getServerRow, withServer, type ServerRow } from './connection';
import { nginxLayoutOf } from '../nginx/layout';

export type LogFn = (text: string, stream?: 'stdout' | 'stderr' | 'info') => void;

/**
 * Log lines in the order they were written: plan hooks log synchronously while each line is a
 * database insert and an event, so lines are chained rather than raced. `flush` waits for all.
 */
export function orderedLog(write: (text: string, stream?: 'stdout' | 'stderr' | 'info') => Promise<void>): { log: LogFn; flush: () => Promise<void> } {
  let chain = Promise.resolve();
  return {
    log: (text, stream = 'info') => {
      chain = chain.then(() => write(text, stream)).catch(() => undefined);
    },
    flush: () => chain,
  };
}

/** Records what we learned about a server and tells the browsers showing it. */
export async function recordFacts(serverId: string, changes: Partial<ServerRow>): Promise<void> {
  const { db, t } = getDb();
  await db.update(t.servers).set({ ...changes, updatedAt: new Date() }).where(eq(t.servers.id, serverId));
  await publish({ type: 'server.updated', serverId, data: { serverId } });
}

export function nginxFacts(report: ConnectionReport): Pick<ServerRow, 'nginxStatus' | 'nginxVersion'> {
  const { installed, running, version } = report.nginx;
  return { nginxStatus: !installed ? 'missing' : running ? 'running' : 'installed', nginxVersion: version };
}

export function osFacts(report: ConnectionReport): Pick<ServerRow, 'os' | 'osFamily'> {
  return { os: report.os?.prettyName ?? null, osFamily: report.os?.family ?? null };
}

/**
 * The user-facing reason Gatehouse cannot run privileged commands, or null when it can. sudo asks
 * for a password before it checks the rules, so "password required" may really be "no rights at
 * all": `sudo -n -v` tells them apart ("Sorry, user … may not run sudo").
 */
async function privilegeProblem(conn: SshConnection, report: ConnectionReport): Promise<string | null> {
  if (report.canRunPrivileged) return null;
  if (report.sudo === 'password-required') {
    const r = await conn.exec('LC_ALL=C sudo -n -v', { timeoutMs: 15_000 });
    if (/^Sorry, user .* may not run sudo/m.test(r.stderr)) return new SudoNotAllowedError().message;
    return (sudoFailure(r, '') ?? new SudoPasswordRequiredError()).message;
  }
  return new SudoNotAllowedError().message;
}

/**
 * Turns an expected failure (SSH, sudo, an install step, an unsupported OS) into a TaskFailure
 * with its user-facing message, logging the technical detail; anything else is rethrown as is.
 */
export async function failTask(err: unknown, log: LogFn, serverId: string): Promise<never> {
  if (err instanceof SshError) {
    log(`✗ ${err.message}`, 'stderr');
    if (err.detail) log(`  ${err.detail}`, 'stderr');
    // A host-key mismatch was recorded by withServer, with the offered key beside the pin.
    if (err.code !== 'host_key_mismatch') await recordFacts(serverId, { lastError: err.message });
    throw new TaskFailure(err.message);
  }
  if (err instanceof PlanStepError || err instanceof UnsupportedOsError) throw new TaskFailure(err.message);
  throw err;
}

/** Asks the server's Glances for its API version (the same probe the poller starts with). */
export async function probeGlances(server: ServerRow, url: string): Promise<{ ok: true; version: GlancesApiVersion } | { ok: false; message: string }> {
  const client = new GlancesClient({ timeoutMs: 5000, connectTimeoutMs: 3000 });
  try {
    const password = server.glancesPasswordEnc ? open(server.glancesPasswordEnc) : null;
    return { ok: true, version: await client.detectVersion({ baseUrl: url, username: server.glancesUsername, password }) };
  } catch (err) {
    if (err instanceof GlancesError) return { ok: false, message: err.message };
    throw err;
  } finally {
    client.close();
  }
}

export interface ConnectionTestResult {
  hostKeyFingerprint: string;
  pinnedNow: boolean;
  uid: number;
  sudo: ConnectionReport['sudo'];
  os: string | null;
  osFamily: string | null;
  nginx: ConnectionReport['nginx'];
  glances: { url: string | null; reachable: boolean | null; apiVersion: number | null; installedVersion: string | null };
}

/** What connecting and looking around found (the host key is reported as one log line). */
export interface Detected {
  report: ConnectionReport;
  server: ServerRow;
  hostKey: SshConnection['hostKey'];
  pinnedNow: boolean;
  /** Why Gatehouse cannot act as root here, or null. */
  privilege: string | null;
}

/** Connects (`fresh`: with a new handshake, not the pooled connection) and detects the server. */
export async function connectAndDetect(serverId: string, log: LogFn, opts: { fresh?: boolean } = {}): Promise<Detected> {
  const before = await getServerRow(serverId);
  log(`Connecting to ${before.sshUser}@${formatHostPort(before.host, before.sshPort)} over SSH…`);
  try {
    return await withServer(serverId, async (conn, server) => {
      const pinnedNow = before.hostKeyFingerprint === null;
      log(pinnedNow
        ? `✓ Host key ${conn.hostKey.fingerprint} (${conn.hostKey.algorithm}) pinned: first connection, trusted on first use`
        : `✓ Host key matches the pinned ${conn.hostKey.fingerprint}`);
      const layout = nginxLayoutOf(server);
      const report = await detectServer(conn, layout);
      // detect runs as the login user, whose `kill -0` on root's nginx (PID file layouts) fails.
      if (report.sudo === 'nopasswd' && layout.pidFile && report.nginx.installed && !report.nginx.running) {
        const r = await conn.execPrivileged(cmd`test -s ${layout.pidFile} && kill -0 "$(cat ${layout.pidFile})"`, { timeoutMs: 15_000 });
        report.nginx.running = r.code === 0;
      }
      return { report, server, hostKey: conn.hostKey, pinnedNow, privilege: await privilegeProblem(conn, report) };
    }, opts);
  } catch (err) {
    return failTask(err, log, serverId);
  }
}

/**
 * The connection test: SSH sign-in and host key, root or `sudo -n`, the OS from /etc/os-release,
 * Nginx present/version/running, Glances reachable. Each check is one ✓/✗ line; what was learned
 * is stored on the server. Fails when Gatehouse cannot sign in or cannot act as root.
 * It always handshakes anew: a pooled session outlives an sshd restart with a new host key, and
 * a test that reused it would vouch for a key the server no longer has.
 */
export async function testServerConnection(serverId: string, log: LogFn): Promise<ConnectionTestResult> {
  const { report, server, hostKey, pinnedNow, privilege } = await connectAndDetect(serverId, log, { fresh: true });
  log(`✓ Signed in as ${server.sshUser} (uid ${report.uid})`);
  if (report.sudo === 'root') log('✓ Runs commands as root');
  else if (report.sudo === 'nopasswd') log('✓ sudo -n works without a password');
  else log(`✗ ${privilege}`, 'stderr');

  if (report.os) log(`${report.os.family === 'unknown' ? '✗' : '✓'} OS: ${report.os.prettyName} (${report.os.family === 'unknown' ? 'no install plan for this family' : `${report.os.family} family`})`);
  else log('✗ OS: /etc/os-release not found', 'stderr');

  const { installed, running, version } = report.nginx;
  if (!installed) log('✗ Nginx is not installed (Install Nginx sets it up)');
  else log(`${running ? '✓' : '✗'} Nginx ${version ?? '(version unknown)'} is installed${running ? ' and running' : ' but not running'}`);

  const glances: ConnectionTestResult['glances'] = { url: server.glancesUrl, reachable: null, apiVersion: null, installedVersion: report.glances.version };
  if (server.glancesUrl) {
    const probe = await probeGlances(server, server.glancesUrl);
    glances.reachable = probe.ok;
    if (probe.ok) glances.apiVersion = probe.version;
    log(probe.ok ? `✓ Glances API v${probe.version} answers at ${server.glancesUrl}` : `✗ Glances does not answer at ${server.glancesUrl}: ${probe.message}`);
  } else {
    log(report.glances.installed ? `– Glances ${report.glances.version ?? ''} is installed, but no Glances URL is set`.replace('  ', ' ') : '– No Glances URL set (Install Glances sets one up)');
  }

  const problem = privilege;
  await recordFacts(serverId, {
    ...osFacts(report),
    ...nginxFacts(report),
    ...(glances.apiVersion !== null && { glancesApiVersion: glances.apiVersion }),
    lastSeenAt: new Date(),
    lastError: problem,
  });
  if (problem) throw new TaskFailure(`Connected, but Gatehouse cannot act as root here. ${problem}`);
  return {
    hostKeyFingerprint: hostKey.fingerprint,
    pinnedNow,
    uid: report.uid,
    sudo: report.sudo,
    os: report.os?.prettyName ?? null,
    osFamily: report.os?.family ?? null,
    nginx: report.nginx,
    glances,
  };
}
