import { handle } from '@/lib/http/handler';
import { proxyOps } from '@/lib/proxy/operations';
import { enqueueDomainDeploy } from '@/lib/proxy/deploy';

export const POST = handle(proxyOps.deployDomain, ({ actor, params }) => enqueueDomainDeploy(actor, params.id));
