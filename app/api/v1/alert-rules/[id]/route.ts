import { handle } from '@/lib/http/handler';
import { alertOps } from '@/lib/alerts/operations';
import { deleteAlertRule, getAlertRule, updateAlertRule } from '@/lib/alerts/rules';

export const GET = handle(alertOps.getRule, ({ actor, params }) => getAlertRule(actor, params.id));
export const PATCH = handle(alertOps.updateRule, ({ actor, params, body }) => updateAlertRule(actor, params.id, body));
export const DELETE = handle(alertOps.removeRule, ({ actor, params }) => deleteAlertRule(actor, params.id));
