import { handle } from '@/lib/http/handler';
import { taskOps } from '@/lib/tasks/operations';
import { getTaskLogs } from '@/lib/tasks/service';

export const GET = handle(taskOps.logs, ({ actor, params, query }) => getTaskLogs(actor, params.id, query));
