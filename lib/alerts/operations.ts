import { z } from 'zod';
import { defineOperations } from '../operation';
import { listParams } from '../pagination';
import { alertListParams, alertRuleCreateInput, alertRulePatchInput, alertRuleSchema, alertSchema, silenceCreateInput, silenceListParams, silenceSchema } from './schemas';

const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const alertOps = defineOperations({
  list: {
    method: 'GET', path: '/alerts', summary: 'Incidents, newest first', tag: 'alerts', auth: 'user', query: alertListParams, response: list(alertSchema),
    description: 'Without `state`, firing and resolved incidents. Users see incidents of servers shared with them; `serverId` of a server they cannot see is a 404.',
    errors: { 404: '`serverId` names a server you cannot see' },
  },
  get: { method: 'GET', path: '/alerts/{id}', summary: 'One incident', tag: 'alerts', auth: 'user', response: alertSchema },
  listRules: {
    method: 'GET', path: '/alert-rules', summary: 'Alert rules (global and per-server overrides)', tag: 'alerts', auth: 'user', query: listParams, response: list(alertRuleSchema),
  },
  createRule: {
    method: 'POST', path: '/alert-rules', summary: 'Create a rule (a per-server override when serverId is set)', tag: 'alerts', auth: 'admin',
    body: alertRuleCreateInput, response: alertRuleSchema, status: 201, errors: { 409: '`alert_rule_exists`: one rule per kind globally and per server' },
    description: 'Thresholds: cpu, memory, disk in percent (1–100); load as the 1-minute load average; cert_expiry in days; upstream_down as the number of targets down (default 1); other kinds take none. One rule per kind globally and per server: 409 `alert_rule_exists`.',
  },
  getRule: { method: 'GET', path: '/alert-rules/{id}', summary: 'One alert rule', tag: 'alerts', auth: 'user', response: alertRuleSchema },
  updateRule: { method: 'PATCH', path: '/alert-rules/{id}', summary: 'Change a rule', tag: 'alerts', auth: 'admin', body: alertRulePatchInput, response: alertRuleSchema },
  removeRule: {
    method: 'DELETE', path: '/alert-rules/{id}', summary: 'Delete a per-server override', tag: 'alerts', auth: 'admin', status: 204,
    description: 'Global rules cannot be deleted (409 `alert_rule_global`); disable them instead.',
    errors: { 409: '`alert_rule_global`: a global rule; disable it instead' },
  },
  listSilences: {
    method: 'GET', path: '/silences', summary: 'Silences and maintenance windows (current and future; `past=true` for all)', tag: 'alerts', auth: 'user',
    query: silenceListParams, response: list(silenceSchema),
  },
  createSilence: {
    method: 'POST', path: '/silences', summary: 'Silence a server or a domain from startsAt (default now) to endsAt', tag: 'alerts', auth: 'operate',
    body: silenceCreateInput, response: silenceSchema, status: 201,
    description: 'Incidents are still recorded; their messages are held. When the silence ends, an incident still open is announced; one that was announced before and closed meanwhile gets its resolution; one that opened and closed inside the silence is never sent. An operator may silence the servers they operate and their domains.',
  },
  removeSilence: {
    method: 'DELETE', path: '/silences/{id}', summary: 'End a silence now', tag: 'alerts', auth: 'operate', status: 204,
    description: 'An operator may end silences of the servers they operate and of their domains.',
  },
});
