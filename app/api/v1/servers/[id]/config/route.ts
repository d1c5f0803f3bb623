import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { getServerConfig } from '@/lib/proxy/server-config';

export const GET = handle(proxyOps.serverConfig, ({ actor, params }) => getServerConfig(actor, params.id));
