import { formatHostPort } from '../nginx/grammar';
import { detectServer } from '../provision/detect';
import { nginxPlan } from '../provision/plans';
import { glancesPlan } from '../provision/glances-plan';
import { nginxCommand } from '../nginx/layout';
import { runPlan, type RunPlanResult } from '../provision/run-plan';
import { TaskFailure } from '../tasks/context';
import { withServer } from './connection';
import { connectAndDetect, failTask, nginxFacts, osFacts, probeGlances, recordFacts, type LogFn } from './checks';
import { nginxLayoutOf } from '../nginx/layout';

// Run-plan logs plain step names; the task log marks them like the connection test does.
const planLog = (log: LogFn) => (stream: 'stdout' | 'stderr' | 'info', line: string) =>
  log(stream !== 'info' ? `  ${line}` : line.replace(/^(already done|done): /, '✓ $1: ').replace(/^running: /, '→ running: '), stream);

const PRELUDE = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH\n';

/** Looks first (OS family, init system, sudo), then refuses early with a clear reason. */
async function prepare(serverId: string, log: LogFn) {
  const found = await connectAndDetect(serverId, log);
  const problem = found.privilege;
  if (problem) {
    await recordFacts(serverId, { lastError: problem });
    log(`✗ ${problem}`, 'stderr');
    throw new TaskFailure(problem);
  }
  const os = found.report.os;
  log(os ? `✓ OS: ${os.prettyName} (${os.family} family), service manager: ${found.report.init}` : '✗ OS: /etc/os-release not found');
  await recordFacts(serverId, osFacts(found.report));
  return found;
}

/**
 * Installs and starts Nginx with the plan for the server's distro family, creates the managed
 * directory and its one include line, and checks the whole configuration with `nginx -t`.
 * Every step checks first, so a second run changes nothing and says so.
 */
export async function installNginx(serverId: string, log: LogFn, progress: (pct: number) => void): Promise<RunPlanResult> {
  const { report, server } = await prepare(serverId, log);
  const layout = nginxLayoutOf(server);
  progress(10);
  try {
    return await withServer(serverId, async (conn) => {
      const plan = nginxPlan({ family: report.os?.family ?? 'unknown', init: report.init, layout });
      const result = await runPlan(conn, plan, { log: planLog(log), progress: (p) => progress(10 + p * 0.8) });
      const check = await conn.execPrivileged(PRELUDE + nginxCommand(layout, '-t'), { timeoutMs: 120_000 });
      for (const line of `${check.stdout}${check.stderr}`.trim().split('\n').filter(Boolean)) log(`  ${line}`, check.code === 0 ? 'stdout' : 'stderr');
      if (check.code !== 0) {
        // nginx ends with "test failed"; the line that says why is the [emerg] one.
        const lines = check.stderr.trim().split('\n');
        throw new TaskFailure(`nginx -t failed: ${lines.find((l) => /\[(emerg|alert|crit|error)\]/.test(l)) ?? lines.at(-1) ?? ''}`);
      }
      log('✓ nginx -t: the configuration is valid');
      // As root: a PID file's process belongs to root, and `kill -0` from another user says no.
      const after = await detectServer({ exec: (c, o) => conn.execPrivileged(c, o) }, layout);
      await recordFacts(serverId, { ...nginxFacts(after), lastSeenAt: new Date(), lastError: null });
      log(
        result.changed === 0
          ? `✓ Nothing changed: Nginx ${after.nginx.version ?? ''} was already installed, set up and running.`.replace('  ', ' ')
          : `✓ Nginx ${after.nginx.version ?? ''} is installed and running (${result.changed} step${result.changed === 1 ? '' : 's'} changed).`.replace('  ', ' '),
      );
      return result;
    });
  } catch (err) {
    return failTask(err, log, serverId);
  }
}

/** The URL Gatehouse polls after an install: what the admin set, else the bind address. */
function glancesUrlFor(host: string, bind: string, port: number): string {
  const address = bind === '0.0.0.0' || bind === '::' ? host : bind;
  return `http://${formatHostPort(address, port)}`;
}

/**
 * Installs Glances and runs its REST API as a service bound to one explicit address (the API has
 * no password of its own), then checks Gatehouse can reach it and, when no Glances URL was set,
 * sets it.
 */
export async function installGlances(
  serverId: string,
  input: { bind: string; port: number },
  log: LogFn,
  progress: (pct: number) => void,
): Promise<RunPlanResult & { url: string; apiVersion: number }> {
  const { report, server } = await prepare(serverId, log);
  progress(10);
  let result: RunPlanResult;
  try {
    result = await withServer(serverId, async (conn) => {
      log(`Glances will listen on ${formatHostPort(input.bind, input.port)}`);
      const plan = glancesPlan({ family: report.os?.family ?? 'unknown', init: report.init, bind: input.bind, port: input.port });
      return runPlan(conn, plan, { log: planLog(log), progress: (p) => progress(10 + p * 0.7) });
    });
  } catch (err) {
    return failTask(err, log, serverId);
  }

  const url = server.glancesUrl ?? glancesUrlFor(server.host, input.bind, input.port);
  // A freshly started service may need a moment before it listens: retry for up to 30 s.
  const deadline = Date.now() + 30_000;
  let probe = await probeGlances(server, url);
  while (!probe.ok && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    probe = await probeGlances(server, url);
  }
  if (!probe.ok) {
    log(`✗ Glances does not answer at ${url}: ${probe.message}`, 'stderr');
    throw new TaskFailure(`Glances was installed, but Gatehouse cannot reach it at ${url}: ${probe.message} Check the bind address and the firewall.`);
  }
  log(`✓ Glances API v${probe.version} answers at ${url}`);
  const urlWasSet = server.glancesUrl !== null;
  await recordFacts(serverId, { glancesUrl: url, glancesApiVersion: probe.version, lastSeenAt: new Date() });
  if (!urlWasSet) log(`✓ Glances URL set to ${url}`);
  log(result.changed === 0 && urlWasSet ? '✓ Nothing changed: Glances was already installed and running.' : `✓ Glances is installed and running (${result.changed} step${result.changed === 1 ? '' : 's'} changed).`);
  return { ...result, url, apiVersion: probe.version };
}
