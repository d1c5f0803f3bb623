import type { ExecOptions, ExecResult } from '../ssh/exec';
import { lineSplitter } from '../ssh/lines';
import type { InstallPlan, PlanStep } from './plans';
import { plural } from '../errors';

/** What runPlan needs from a connection (an SshConnection fits). */
export interface PlanExecutor {
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  execPrivileged(command: string, opts?: ExecOptions): Promise<ExecResult>;
}

export type PlanLogStream = 'stdout' | 'stderr' | 'info';

export interface RunPlanHooks {
  log?(stream: PlanLogStream, line: string): void;
  /** 0–100, after each step. */
  progress?(pct: number): void;
}

export interface RunPlanResult {
  /** Steps that had to run; 0 means the server already matched the plan. */
  changed: number;
  steps: { name: string; status: 'already-done' | 'changed' }[];
}

export class PlanStepError extends Error {
  readonly code = 'plan_step_failed';
  constructor(
    readonly step: string,
    readonly exitCode: number | null,
    readonly output: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlanStepError';
  }
}

// Non-root logins often lack the sbin directories (Debian), where nginx and friends live;
// sudo's secure_path has them, a plain root login may not.
const PRELUDE = 'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; export PATH\n';
const CHECK_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 5 * 60_000;

function exec(conn: PlanExecutor, step: PlanStep, command: string, opts: ExecOptions): Promise<ExecResult> {
  const full = PRELUDE + command;
  return step.privileged ? conn.execPrivileged(full, opts) : conn.exec(full, opts);
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

/**
 * Runs a plan step by step: check; when the check passes the step is skipped ("already done"),
 * otherwise run it, stream its output to `log`, and check again. A second run of the same plan
 * therefore changes nothing. The first failing step stops the plan with PlanStepError.
 */
export async function runPlan(conn: PlanExecutor, plan: InstallPlan, hooks: RunPlanHooks = {}): Promise<RunPlanResult> {
  const log = hooks.log ?? (() => undefined);
  const result: RunPlanResult = { changed: 0, steps: [] };
  const total = plan.steps.length;
  hooks.progress?.(0);
  for (const [i, step] of plan.steps.entries()) {
    const before = await exec(conn, step, step.check, { timeoutMs: CHECK_TIMEOUT_MS });
    if (before.code === 0) {
      log('info', `already done: ${step.name}`);
      result.steps.push({ name: step.name, status: 'already-done' });
    } else {
      log('info', `running: ${step.name}`);
      const out = lineSplitter((line) => log('stdout', line));
      const err = lineSplitter((line) => log('stderr', line));
      const ran = await exec(conn, step, step.run, {
        timeoutMs: step.timeoutMs ?? RUN_TIMEOUT_MS,
        onStdout: out.push,
        onStderr: err.push,
      });
      out.flush();
      err.flush();
      if (ran.code !== 0) {
        const tail = lastLines(ran.stderr || ran.stdout, 5);
        throw new PlanStepError(step.name, ran.code, tail, `Step "${step.name}" failed (exit ${ran.code ?? ran.signal}): ${lastLines(tail, 1)}`);
      }
      const after = await exec(conn, step, step.check, { timeoutMs: CHECK_TIMEOUT_MS });
      if (after.code !== 0) {
        throw new PlanStepError(step.name, after.code, lastLines(after.stderr, 5), `Step "${step.name}" ran but its check still fails.`);
      }
      log('info', `done: ${step.name}`);
      result.changed++;
      result.steps.push({ name: step.name, status: 'changed' });
    }
    hooks.progress?.(Math.round(((i + 1) / total) * 100));
  }
  log('info', result.changed === 0 ? `${plan.name}: nothing changed` : `${plan.name}: ${plural(result.changed, 'step')} changed`);
  return result;
}
