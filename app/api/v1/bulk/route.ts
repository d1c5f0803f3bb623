import { handle } from '@/lib/http/handler';
import { bulkOps } from '@/lib/bulk/operations';
import { startBulk } from '@/lib/bulk/service';

export const POST = handle(bulkOps.run, ({ actor, body }) => startBulk(actor, body));
