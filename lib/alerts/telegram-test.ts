import { atomically } from '../db';
import type { Actor } from '../access/actor';
import { requireAdmin } from '../access/rbac';
import { recordAudit } from '../audit';
import { getEffectiveSettings } from '../settings/service';
import { escapeHtml } from './html';
import { enqueueNotification } from './outbox';
import { sendTelegramMessage, type TelegramSendResult, type TelegramTarget } from './telegram';
import type { TelegramTestResult } from './schemas';

/**
 * "Send test message" (POST /settings/telegram/test): sent at once rather than through the
 * outbox, so the admin sees Telegram's answer on the spot. It goes out even while alerts are
 * switched off (checking the chat before switching them on is the point). The row is still
 * written through the outbox's one entry, as a record and under the same safety check.
 */
export async function sendTelegramTest(
  actor: Actor,
  opts: { now?: Date; send?: (target: TelegramTarget, html: string) => Promise<TelegramSendResult> } = {},
): Promise<TelegramTestResult> {
  requireAdmin(actor);
  const now = opts.now ?? new Date();
  const tg = (await getEffectiveSettings()).telegram;
  if (!tg.botToken) return { ok: false, message: 'Set the bot token first.' };
  if (!tg.chatId) return { ok: false, message: 'Set the chat id first.' };
  const target: TelegramTarget = { token: tg.botToken, chatId: tg.chatId, threadId: tg.threadId ?? undefined, apiRoot: tg.apiUrl };
  const html = `🔵 <b>Test</b> · ${escapeHtml('Gatehouse can post to this chat')}\n${escapeHtml(
    tg.enabled ? 'Alerts will arrive here.' : 'Alerts are switched off in Settings: switch them on to receive them here.',
  )}`;
  const result = await (opts.send ?? sendTelegramMessage)(target, html);
  const message = result.ok
    ? tg.enabled
      ? 'Test message sent.'
      : 'Test message sent. Alerts are switched off: switch them on to receive them.'
    : `Telegram did not take the message: ${result.reason}${result.retryAfterSeconds !== undefined ? ` (try again in ${result.retryAfterSeconds} s)` : ''}.`;
  await atomically(async () => {
    await enqueueNotification({
      alertId: null, kind: 'test', html, status: result.ok ? 'sent' : 'dead', attempts: 1, now,
      messageId: result.ok ? String(result.messageId) : null, lastError: result.ok ? null : result.reason,
    });
    await recordAudit(actor, 'settings.telegram_test', { type: 'settings' }, { ok: result.ok });
  });
  return { ok: result.ok, message };
}
