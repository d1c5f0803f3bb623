import { z } from 'zod';
import { defineOperations, serverErrors } from '../operation';
import { settingsPatch, settingsSchema } from './schemas';

export const settingsOps = defineOperations({
  get: { method: 'GET', path: '/settings', summary: 'Settings (secrets shown only as set/unset)', tag: 'settings', auth: 'admin', response: settingsSchema },
  update: {
    method: 'PATCH', path: '/settings', summary: 'Change any part of the settings', tag: 'settings', auth: 'admin', body: settingsPatch, response: settingsSchema,
    description: '`telegram.botToken` is write-only (null clears it). A value set by an environment variable is read-only: 422.',
  },
  telegramTest: {
    method: 'POST', path: '/settings/telegram/test', summary: 'Send a test message to the configured Telegram chat', tag: 'settings', auth: 'admin',
    response: z.object({ ok: z.boolean(), message: z.string() }), errors: serverErrors,
    description: 'Telegram refusing, timing out or unreachable is `{ok: false, message}`.',
  },
});
