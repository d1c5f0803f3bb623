import { handle } from '@/lib/http/handler';
import { taskOps } from '@/lib/tasks/operations';
import { listTasks } from '@/lib/tasks/service';

export const GET = handle(taskOps.list, ({ actor, query }) => listTasks(actor, query));
