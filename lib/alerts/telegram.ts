import { Api, NetworkError, ParseError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { describeError } from './describe-error';
import type { DeliveryError } from './outbox-policy';
import { sanitizeText } from './sanitize';

/** Where alerts go: CONTRACT.md `TELEGRAM_BOT_TOKEN`, `TELEGRAM_CHAT_ID`, `TELEGRAM_THREAD_ID`, `TELEGRAM_API_URL`. */
export interface TelegramTarget {
  token: string;
  chatId: string | number;
  /** A forum topic in a supergroup. */
  threadId?: number;
  /** Bot API base URL; defaults to https://api.telegram.org. */
  apiRoot?: string;
}

export type TelegramSendResult =
  | { ok: true; messageId: number }
  | ({ ok: false; migrateToChatId?: number } & DeliveryError);

export interface TelegramSendOptions {
  /** Per-request timeout; the library's default is five minutes, far too long for an outbox worker. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Test seam passed to the library. */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Sends one HTML message through node-telegram-bot-api 2.x (`Api`, one method per Bot API
 * call). The library's own retries are switched off (`maxRetries: 0`): the durable outbox owns
 * retrying, and the library would otherwise sleep through a 429 inside the worker. Never
 * throws for a delivery failure; the result says whether to retry and when.
 *
 * The token is part of the request URL, so it can surface in error text: every reason is
 * built from fixed phrases or sanitized Telegram descriptions, and then scrubbed of the token.
 */
export async function sendTelegramMessage(
  target: TelegramTarget,
  html: string,
  options: TelegramSendOptions = {},
): Promise<TelegramSendResult> {
  try {
    const api = new Api(target.token, {
      apiRoot: target.apiRoot,
      maxRetries: 0,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const message = await api.sendMessage(
      {
        chat_id: target.chatId,
        text: html,
        parse_mode: 'HTML',
        // `disable_web_page_preview` was replaced by `link_preview_options` in Bot API 7.0 and
        // is no longer in the library's types; alert texts carry no links anyway.
        link_preview_options: { is_disabled: true },
        ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
      },
      options.signal,
    );
    return { ok: true, messageId: message.message_id };
  } catch (err) {
    const failure = classifyTelegramError(err);
    return { ...failure, reason: scrubToken(failure.reason, target.token) };
  }
}

/** Maps anything the library throws to a delivery outcome. Exported for the outbox's tests. */
export function classifyTelegramError(err: unknown): { ok: false; migrateToChatId?: number } & DeliveryError {
  if (err instanceof TelegramApiError) {
    const code = err.errorCode;
    const what = describeApiError(code, err.description);
    if (code === 429) {
      const retryAfter = err.retryAfter;
      return {
        ok: false,
        permanent: false,
        reason: 'rate limited by Telegram',
        ...(typeof retryAfter === 'number' && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
      };
    }
    if (code >= 500) return { ok: false, permanent: false, reason: `Telegram server error (HTTP ${code})` };
    // Every other 4xx (chat not found, bot blocked or kicked, bad token, unparsable HTML)
    // fails the same way on every retry: the admin has to change something.
    const migrate = err.migrateToChatId;
    return {
      ok: false,
      permanent: true,
      reason: what,
      ...(typeof migrate === 'number' ? { migrateToChatId: migrate } : {}),
    };
  }
  if (err instanceof TimeoutError) return { ok: false, permanent: false, reason: 'Telegram timed out' };
  if (err instanceof ParseError) return { ok: false, permanent: false, reason: 'invalid response from Telegram' };
  if (err instanceof NetworkError) {
    // The library words a body-less 5xx as "Server error 503 on sendMessage"; read the code only.
    const status = /^Server error (\d{3})\b/.exec(err.message)?.[1];
    if (status) return { ok: false, permanent: false, reason: `Telegram server error (HTTP ${status})` };
    return { ok: false, permanent: false, reason: `cannot reach Telegram: ${describeError(err)}` };
  }
  // Unknown failures are retried: an alert waits rather than being dropped.
  return { ok: false, permanent: false, reason: `sending failed: ${describeError(err)}` };
}

function describeApiError(code: number, description: string | undefined): string {
  const text = (description ?? '').toLowerCase();
  if (code === 401 || code === 404) return 'bot token rejected by Telegram';
  if (text.includes('chat not found')) return 'chat not found';
  if (text.includes('thread not found')) return 'message thread not found';
  if (text.includes('blocked')) return 'bot was blocked by the user';
  if (text.includes('kicked') || text.includes('not a member')) return 'bot is not a member of the chat';
  if (text.includes('upgraded to a supergroup')) return 'chat was upgraded to a supergroup';
  if (text.includes("can't parse entities")) return 'message HTML rejected by Telegram';
  // Telegram's descriptions are short and ours to show, but still pass the sanitizer.
  const rest = sanitizeText(description ?? '', { maxLength: 120 });
  return rest ? `Telegram rejected the message (HTTP ${code}): ${rest}` : `Telegram rejected the message (HTTP ${code})`;
}

/** Removes the bot token (and the `bot<token>` URL segment) from text meant for logs or the UI. */
export function scrubToken(text: string, token: string): string {
  if (!token) return text;
  return text.split(token).join('[token]');
}
