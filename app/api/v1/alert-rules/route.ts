import { handle } from '@/lib/http/handler';
import { alertOps } from '@/lib/alerts/operations';
import { createAlertRule, listAlertRules } from '@/lib/alerts/rules';

export const GET = handle(alertOps.listRules, ({ actor, query }) => listAlertRules(actor, query));
export const POST = handle(alertOps.createRule, ({ actor, body }) => createAlertRule(actor, body));
