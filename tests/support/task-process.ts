/**
 * A Gatehouse process for fault tests to kill: `tsx tests/support/task-process.ts` opens the
 * database named by the environment (DATABASE_URL, DATA_DIR, ENCRYPTION_KEY, AUTH_SECRET: give it
 * the test's own), registers the proxy task handlers and runs the queued task TASK_ID through the
 * real task runner, over its own SSH connection. It prints one line per milestone on stdout:
 *
 *   GH-RUNNING               handlers registered, the runner is about to claim the task
 *   GH-STAGING <dir>         the deploy made its staging directory on the server
 *   GH-PAUSED <point>        it stopped at <point> and waits there to be killed
 *   GH-DONE <status>         the task ended (only when no pause point was reached)
 *
 * FAULT_PAUSE picks the point (the deploy itself is untouched, only held):
 *   upload:<k>   the k-th SFTP write of the deploy has completed; later writes are never sent
 *   applied      the apply script has answered, before the task records anything (always armed
 *                unless FAULT_PAUSE=none, so a kill at a random moment lands inside the deploy)
 */
import { registerTaskHandlers, waitForTask } from '../../lib/tasks/runner';
import { proxyTaskHandlers } from '../../lib/proxy/tasks';
import { SshConnection } from '../../lib/ssh/connection';

const say = (line: string) => process.stdout.write(`${line}\n`);
const forever = () => new Promise<never>(() => {});
const pause = (point: string) => {
  say(`GH-PAUSED ${point}`);
  return forever();
};

const [mode, arg] = (process.env.FAULT_PAUSE ?? 'applied').split(':');
const proto = SshConnection.prototype;

const exec = proto.exec;
proto.exec = async function (this: SshConnection, ...args: Parameters<SshConnection['exec']>) {
  const r = await exec.apply(this, args);
  if (args[0].includes('mktemp -d /tmp/gatehouse-deploy.')) say(`GH-STAGING ${r.stdout.trim()}`);
  return r;
};

if (mode === 'upload') {
  const k = Number(arg);
  let calls = 0;
  const writeFile = proto.writeFile;
  proto.writeFile = async function (this: SshConnection, ...args: Parameters<SshConnection['writeFile']>) {
    const n = ++calls;
    if (n > k) return forever();
    await writeFile.apply(this, args);
    if (n === k) return pause(`upload:${k}`);
  };
}

if (mode !== 'none') {
  const execPrivileged = proto.execPrivileged;
  proto.execPrivileged = async function (this: SshConnection, ...args: Parameters<SshConnection['execPrivileged']>) {
    const r = await execPrivileged.apply(this, args);
    if (args[0].includes(' gh-apply ')) return pause('applied');
    return r;
  };
}

async function main() {
  const taskId = process.env.TASK_ID;
  if (!taskId) throw new Error('TASK_ID is not set');
  process.env.GATEHOUSE_TASK_RUNNER = 'off';
  registerTaskHandlers(proxyTaskHandlers);
  say('GH-RUNNING');
  const task = await waitForTask(taskId, 600_000);
  say(`GH-DONE ${task.status}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
