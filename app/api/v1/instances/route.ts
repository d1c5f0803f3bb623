import { handle } from '@/lib/http/handler';
import { systemOps } from '@/lib/system/health';
import { listInstances } from '@/lib/system/instances';

export const dynamic = 'force-dynamic';
export const GET = handle(systemOps.instances, () => listInstances());
