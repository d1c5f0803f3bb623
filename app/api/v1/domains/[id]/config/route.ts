import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { getDomainConfig } from '@/lib/proxy/server-config';

export const GET = handle(proxyOps.domainConfig, ({ actor, params }) => getDomainConfig(actor, params.id));
