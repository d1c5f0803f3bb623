import { z } from 'zod';
import { defineOperations } from '../operation';
import { taskListParams, taskLogLine, taskLogParams, taskSchema } from './schemas';

export const taskOps = defineOperations({
  list: {
    method: 'GET', path: '/tasks', summary: 'Tasks, newest first (users: tasks of servers shared with them)', tag: 'tasks', auth: 'user',
    query: taskListParams, response: z.object({ items: z.array(taskSchema), nextCursor: z.string().nullable() }),
  },
  get: { method: 'GET', path: '/tasks/{id}', summary: 'One task', tag: 'tasks', auth: 'user', response: taskSchema },
  logs: {
    method: 'GET', path: '/tasks/{id}/logs', summary: 'Task log lines after a sequence number', tag: 'tasks', auth: 'user',
    query: taskLogParams, response: z.object({ lines: z.array(taskLogLine) }),
  },
});
