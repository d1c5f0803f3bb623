import { z } from 'zod';
import { PLAIN_TEXT, PLAIN_TEXT_MESSAGE } from '../text';
import { listParams } from '../pagination';
import { ALERT_KINDS, type AlertKind } from './messages';
import { THRESHOLDS } from './kinds';

export { THRESHOLDS, KIND_LABELS } from './kinds';

/**
 * Input and output shapes for rules, incidents and silences (CONTRACT.md "alerts"). What a
 * threshold means per kind is in kinds.ts (shared with the console and the evaluator).
 */
export const alertKind = z.enum(ALERT_KINDS, { error: `Kind must be one of ${ALERT_KINDS.join(', ')}.` });
export const alertSeverity = z.enum(['info', 'warning', 'critical'], { error: 'Severity must be info, warning or critical.' });

const duration = z
  .number({ error: 'Give a number of seconds.' })
  .int('Use whole seconds.')
  .min(0, 'Use 0 or more seconds.')
  .max(86_400, 'At most a day (86400 seconds).');
const reminder = z
  .number({ error: 'Give a number of minutes.' })
  .int('Use whole minutes.')
  .min(5, 'At least 5 minutes.')
  .max(10_080, 'At most a week (10080 minutes).')
  .nullable();
const threshold = z.number({ error: 'Give a number.' }).finite().nullable();

export const alertRuleCreateInput = z.strictObject({
  kind: alertKind,
  serverId: z.string().trim().min(1).max(100).nullable().default(null),
  threshold: threshold.optional(),
  durationSeconds: duration.default(0),
  severity: alertSeverity.default('warning'),
  enabled: z.boolean().default(true),
  reminderMinutes: reminder.default(null),
});
export type AlertRuleCreateInput = z.output<typeof alertRuleCreateInput>;

/** Kind and server are what a rule is; change them by creating another rule. */
export const alertRulePatchInput = z.strictObject({
  threshold: threshold.optional(),
  durationSeconds: duration.optional(),
  severity: alertSeverity.optional(),
  enabled: z.boolean().optional(),
  reminderMinutes: reminder.optional(),
});
export type AlertRulePatchInput = z.output<typeof alertRulePatchInput>;

/** Kind-specific threshold check: field errors for the API and the forms. */
export function thresholdErrors(kind: AlertKind, value: number | null | undefined): string | null {
  const spec = THRESHOLDS[kind];
  if (!spec) return value === null || value === undefined ? null : 'This kind has no threshold; leave it empty.';
  if (value === null || value === undefined) return spec.default === undefined ? 'Give a threshold.' : null;
  if (value < spec.min || value > spec.max) return `Use a value from ${spec.min} to ${spec.max}.`;
  if (spec.integer && !Number.isInteger(value)) return 'Use a whole number.';
  return null;
}

export const alertRuleSchema = z.object({
  id: z.string(),
  kind: alertKind,
  threshold: z.number().nullable(),
  durationSeconds: z.number(),
  severity: alertSeverity,
  enabled: z.boolean(),
  serverId: z.string().nullable(),
  reminderMinutes: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AlertRuleDto = z.infer<typeof alertRuleSchema>;

export const alertStateFilter = z.enum(['pending', 'firing', 'resolved'], { error: 'State must be firing, resolved or pending.' });

export const alertListParams = listParams.extend({
  state: alertStateFilter.optional(),
  serverId: z.string().max(100).optional(),
});
export type AlertListParams = z.output<typeof alertListParams>;

export const alertSchema = z.object({
  id: z.string(),
  kind: alertKind,
  severity: alertSeverity,
  subject: z.object({ type: z.enum(['server', 'domain', 'upstream', 'certificate']), id: z.string(), name: z.string() }),
  state: alertStateFilter,
  value: z.number().nullable(),
  /** When the condition began (the incident opened once it had held for the rule's duration). */
  startedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  serverId: z.string().nullable(),
  domainId: z.string().nullable(),
  /** disk: the mount point. */
  mount: z.string().nullable(),
  silenced: z.boolean(),
});
export type AlertDto = z.infer<typeof alertSchema>;

const instant = z.iso.datetime({ offset: true, error: 'Use an ISO 8601 time, e.g. 2025-01-31T22:00:00Z.' });

export const silenceCreateInput = z
  .strictObject({
    serverId: z.string().trim().min(1).max(100).nullable().optional(),
    domainId: z.string().trim().min(1).max(100).nullable().optional(),
    startsAt: instant.optional(),
    endsAt: instant,
    reason: z.string().trim().max(500, 'Use at most 500 characters.').regex(PLAIN_TEXT, PLAIN_TEXT_MESSAGE).default(''),
  })
  .superRefine((v, ctx) => {
    if (!v.serverId === !v.domainId) ctx.addIssue({ code: 'custom', path: ['serverId'], message: 'Choose a server or a domain (one of them).' });
    const starts = v.startsAt ? Date.parse(v.startsAt) : Date.now();
    const ends = Date.parse(v.endsAt);
    if (ends <= starts) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'The end must be after the start.' });
    else if (ends - starts > 366 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'A silence lasts at most a year.' });
  });
export type SilenceCreateInput = z.output<typeof silenceCreateInput>;

export const silenceSchema = z.object({
  id: z.string(),
  serverId: z.string().nullable(),
  domainId: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  /** Mutes messages right now. */
  active: z.boolean(),
});
export type SilenceDto = z.infer<typeof silenceSchema>;

export const silenceListParams = listParams.extend({
  /** Include silences that have already ended (default: only current and future ones). */
  past: z.enum(['true', 'false']).optional(),
});
export type SilenceListParams = z.output<typeof silenceListParams>;

export const telegramTestResult = z.object({ ok: z.boolean(), message: z.string() });
export type TelegramTestResult = z.infer<typeof telegramTestResult>;
