import { handle } from '@/lib/http/handler';
import { health, systemOps } from '@/lib/system/health';

export const dynamic = 'force-dynamic';
export const GET = handle(systemOps.health, () => health());
