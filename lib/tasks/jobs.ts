import { pollTasks } from './runner';
import { interruptTasksOfDeadInstances } from './store';
import { config } from '../config';
import { INSTANCE_STALE_MS } from '../lifecycle';

/** The task queue's background jobs (wired by lib/registry.ts). */
export const taskJobs = [
  // Every instance runs tasks (claims are atomic); this picks up ones queued by other instances or the CLI.
  { name: 'tasks.poll', pattern: '*/2 * * * * *', everyInstance: true, run: pollTasks },
  // A task whose instance died is interrupted within INSTANCE_STALE_MS + 10 s (+ a leader change).
  {
    name: 'tasks.interrupt-stale',
    pattern: '*/10 * * * * *',
    run: async () => void (await interruptTasksOfDeadInstances(config().INSTANCE_ID, INSTANCE_STALE_MS)),
  },
];
