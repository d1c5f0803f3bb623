import { handle } from '@/lib/http/handler';
import { taskOps } from '@/lib/tasks/operations';
import { getTask } from '@/lib/tasks/service';

export const GET = handle(taskOps.get, ({ actor, params }) => getTask(actor, params.id));
