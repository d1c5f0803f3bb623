import { z } from 'zod';

const resolver = z
  .string()
  .trim()
  .regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?|\[[0-9a-fA-F:]+\](?::\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:]*)$/, 'Use an IP address, or ip:port.');

export const telegramPatch = z.strictObject({
  botToken: z.string().trim().regex(/^\d+:[\w-]{20,}$/, 'A bot token looks like 123456789:ABC-def… (from @BotFather).').nullable().optional(),
  chatId: z.string().trim().regex(/^-?\d+$|^@\w{4,}$/, 'Use a numeric chat id or @channelname.').nullable().optional(),
  threadId: z.number().int().positive('A thread id is a positive number.').nullable().optional(),
  enabled: z.boolean().optional(),
});

export const dnsPatch = z.strictObject({
  servers: z.array(resolver).min(1, 'Give at least one resolver.').max(10, 'At most 10 resolvers.').optional(),
});

export const monitoringPatch = z.strictObject({
  intervalSeconds: z.number().int().min(10, 'At least 10 seconds.').max(3600, 'At most an hour.').optional(),
  downAfterFailures: z.number().int().min(1).max(20).optional(),
  upAfterSuccesses: z.number().int().min(1).max(20).optional(),
  dnsIntervalMinutes: z.number().int().min(5).max(1440).optional(),
});

export const retentionPatch = z.strictObject({
  rawHours: z.number().int().min(1, 'Keep raw samples at least 1 hour.').max(168).optional(),
  fiveMinuteDays: z.number().int().min(1).max(90).optional(),
  hourlyDays: z.number().int().min(7).max(1825).optional(),
  dnsCheckDays: z.number().int().min(1).max(365).optional(),
  taskDays: z.number().int().min(1).max(365).optional(),
});

export const acmePatch = z.strictObject({
  directoryUrl: z.url('Use the ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory').optional(),
  email: z.email('Use an e-mail address.').nullable().optional(),
});

export const securityPatch = z.strictObject({
  require2fa: z.boolean().optional(),
});

export const settingsPatch = z.strictObject({
  telegram: telegramPatch.optional(),
  dns: dnsPatch.optional(),
  monitoring: monitoringPatch.optional(),
  retention: retentionPatch.optional(),
  acme: acmePatch.optional(),
  security: securityPatch.optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatch>;

export const settingsSchema = z.object({
  telegram: z.object({ botToken: z.null(), tokenSet: z.boolean(), chatId: z.string().nullable(), threadId: z.number().nullable(), enabled: z.boolean() }),
  dns: z.object({ servers: z.array(z.string()) }),
  monitoring: z.object({ intervalSeconds: z.number(), downAfterFailures: z.number(), upAfterSuccesses: z.number(), dnsIntervalMinutes: z.number() }),
  retention: z.object({ rawHours: z.number(), fiveMinuteDays: z.number(), hourlyDays: z.number(), dnsCheckDays: z.number(), taskDays: z.number() }),
  acme: z.object({ directoryUrl: z.string(), email: z.string().nullable() }),
  /** `require2fa`: everyone who signs in with a password must set up two-factor sign-in first. */
  security: z.object({ require2fa: z.boolean() }),
  /** Dotted names of values set by environment variables: shown, not editable. */
  readOnly: z.array(z.string()),
});
export type SettingsDto = z.infer<typeof settingsSchema>;
