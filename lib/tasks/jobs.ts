import { pollTasks } from './runner';
import { interruptStaleTasks } from './store';

/** The task queue's background jobs (wired by lib/registry.ts). */
export const taskJobs = [
  // Every instance runs tasks (claims are atomic); this picks up ones queued by other instances or the CLI.
  { name: 'tasks.poll', pattern: '*/2 * * * * *', everyInstance: true, run: pollTasks },
  { name: 'tasks.interrupt-stale', pattern: '*/30 * * * * *', run: async () => void (await interruptStaleTasks(60_000)) },
];
