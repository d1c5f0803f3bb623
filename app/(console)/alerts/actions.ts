'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { ValidationError } from '@/lib/errors';
import { alertKind, alertSeverity } from '@/lib/alerts/schemas';
import { createAlertRule, deleteAlertRule, updateAlertRule } from '@/lib/alerts/rules';
import { createSilence, deleteSilence } from '@/lib/alerts/silences';
import { sendTelegramTest } from '@/lib/alerts/telegram-test';
import { updateSettings } from '@/lib/settings/service';

/**
 * The console's alerting forms. Each reshapes its form (minutes, local times, one target
 * select) into the API's input and calls the same lib function the API does; `fields` names
 * the form field each lib field error belongs beside.
 */
const byId = z.object({ id: z.string().min(1) });
const admin = { admin: true, revalidate: ['/alerts', '/alerts/rules', '/alerts/silences'] };
// Silences: admins, and operators for their servers and those servers' domains (lib/alerts checks).
const silenceOptions = { revalidate: admin.revalidate };

const ruleForm = z.object({
  threshold: z.number().optional(),
  durationMinutes: z.number({ error: 'Give a number of minutes.' }).min(0, 'Use 0 or more minutes.').max(1440, 'At most a day.'),
  severity: alertSeverity,
  enabled: z.boolean().optional(),
  reminderMinutes: z.number().optional(),
});
const ruleOptions = { ...admin, fields: { durationMinutes: 'durationSeconds' } };
const ruleInput = (d: z.input<typeof ruleForm>) => ({
  ...(d.threshold !== undefined ? { threshold: d.threshold } : {}),
  durationSeconds: Math.round(d.durationMinutes * 60),
  severity: d.severity,
  enabled: d.enabled ?? false,
  // The field is always on the form: left empty, it means "no reminders".
  reminderMinutes: d.reminderMinutes ?? null,
});

export const updateRuleAction = formAction(
  ruleForm.extend(byId.shape),
  async ({ id, ...form }, actor) => {
    await updateAlertRule(actor, id, ruleInput(form));
    return 'Saved the rule.';
  },
  ruleOptions,
);

export const createOverrideAction = formAction(
  ruleForm.extend({ kind: alertKind, serverId: z.string().min(1, 'Choose a server.') }),
  async ({ kind, serverId, ...form }, actor) => {
    await createAlertRule(actor, { kind, serverId, ...ruleInput(form) });
    return 'Added the override.';
  },
  ruleOptions,
);

export const deleteRuleAction = formAction(
  byId,
  async ({ id }, actor) => {
    await deleteAlertRule(actor, id);
    return 'Removed the override: the global rule applies again.';
  },
  admin,
);

/** `2025-01-31T22:00` typed in the browser, plus its UTC offset in minutes → an ISO instant. */
function fromLocal(local: string | undefined, offsetMinutes: number): string | undefined {
  if (!local) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return local; // lib answers with its own field message
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) + offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}

export const createSilenceAction = formAction(
  z.object({
    target: z.string().regex(/^(server|domain):.+$/, 'Choose a server or a domain.'),
    startsLocal: z.string().optional(),
    endsLocal: z.string().min(1, 'Give an end time.'),
    tzOffset: z.number().int().min(-900).max(900).optional(),
    reason: z.string().max(500, 'Use at most 500 characters.').optional(),
  }),
  async ({ target, startsLocal, endsLocal, tzOffset, reason }, actor) => {
    const [type, id] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
    const offset = tzOffset ?? 0;
    await createSilence(actor, {
      ...(type === 'server' ? { serverId: id } : { domainId: id }),
      ...(startsLocal ? { startsAt: fromLocal(startsLocal, offset) } : {}),
      endsAt: fromLocal(endsLocal, offset),
      reason: reason ?? '',
    });
    return 'Silence created. Incidents are still recorded; their messages wait until it ends.';
  },
  { ...silenceOptions, fields: { target: ['serverId', 'domainId'], startsLocal: 'startsAt', endsLocal: 'endsAt' } },
);

export const deleteSilenceAction = formAction(
  byId,
  async ({ id }, actor) => {
    await deleteSilence(actor, id);
    return 'Silence ended.';
  },
  silenceOptions,
);

export const saveTelegramAction = formAction(
  z.object({
    telegram: z.object({ botToken: z.string().optional(), chatId: z.string().optional(), threadId: z.number().optional(), enabled: z.boolean().optional() }),
    clearToken: z.boolean().optional(),
  }),
  async ({ telegram: form, clearToken }, actor) => {
    const telegram = {
      botToken: clearToken ? null : form.botToken,
      chatId: form.chatId?.trim() || null,
      threadId: form.threadId ?? null,
      enabled: form.enabled ?? false,
    };
    await updateSettings(actor, { telegram }, { fromForm: true });
    return 'Saved the Telegram settings.';
  },
  {
    admin: true,
    revalidate: '/settings',
    fields: { botToken: 'telegram.botToken', chatId: 'telegram.chatId', threadId: 'telegram.threadId', enabled: 'telegram.enabled' },
  },
);

export const telegramTestAction = formAction(
  z.object({}),
  async (_data, actor) => {
    const result = await sendTelegramTest(actor);
    if (!result.ok) throw new ValidationError({}, result.message);
    return result.message;
  },
  { admin: true },
);
