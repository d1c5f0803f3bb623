import type { TaskRow } from './store';

/** What a task handler gets: its row, a log that redacts secrets, progress, and a result. */
export interface TaskContext {
  task: TaskRow;
  log: (text: string, stream?: 'stdout' | 'stderr' | 'info') => Promise<void>;
  progress: (pct: number) => Promise<void>;
  /** Values that must never reach the log (passwords, keys): replaced by ***. */
  addSecret: (value: string | null | undefined) => void;
  signal: AbortSignal;
}

export type TaskHandler = (ctx: TaskContext) => Promise<Record<string, unknown> | void>;

/** A feature's task handlers by task kind; the composition root (lib/registry.ts) registers them. */
export type TaskHandlers = Record<string, TaskHandler>;

/** A failure whose message is written for the user (anything else is reported generically). */
export class TaskFailure extends Error {
  // Next bundles lib/ into more than one chunk (instrumentation, route handlers, server actions),
  // so the runner that catches may hold another copy of this class than the handler that threw:
  // it recognises the failure by this mark rather than by instanceof.
  readonly isTaskFailure = true;
}

export const isTaskFailure = (err: unknown): err is TaskFailure => err instanceof TaskFailure || (err as { isTaskFailure?: unknown } | null)?.isTaskFailure === true;
