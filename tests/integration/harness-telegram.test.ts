import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Api } from 'node-telegram-bot-api';
import { startTelegramFake, type TelegramFake } from '../support/telegram-fake';
import { httpRequest } from '../support/wait';

const TOKEN = '123456:TEST-token_abc';

describe('harness: fake Telegram Bot API with node-telegram-bot-api 2.1', () => {
  let tg: TelegramFake;

  beforeAll(async () => {
    tg = await startTelegramFake();
  });
  beforeEach(() => tg.reset());
  afterAll(async () => {
    await tg?.stop();
  });

  it('records a form-encoded sendMessage and answers like Telegram', async () => {
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot });
    const me = await api.getMe();
    expect(me.username).toBe('gatehouse_test_bot');
    const msg = await api.sendMessage({ chat_id: -100123, text: '<b>CPU</b> high on s***', parse_mode: 'HTML', message_thread_id: 7 });
    expect(msg.message_id).toBeGreaterThan(0);
    expect(msg.chat.id).toBe(-100123);
    expect(tg.messages).toHaveLength(1);
    expect(tg.messages[0]).toMatchObject({
      token: TOKEN,
      chat_id: '-100123',
      text: '<b>CPU</b> high on s***',
      parse_mode: 'HTML',
      message_thread_id: '7',
    });
  });

  it('accepts JSON bodies too', async () => {
    const res = await httpRequest(`${tg.apiRoot}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 42, text: 'json body' }),
    });
    expect(JSON.parse(res.body).ok).toBe(true);
    expect(tg.messages[0]).toMatchObject({ chat_id: '42', text: 'json body' });
  });

  it('answers 429 with retry_after, which the library honours', async () => {
    tg.failNext(1, { kind: '429', retryAfter: 1 });
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot, maxRetries: 1 });
    const t0 = Date.now();
    await api.sendMessage({ chat_id: 1, text: 'after a flood wait' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(tg.calls.map((c) => c.status)).toEqual([429, 200]);

    tg.failNext(1, { kind: '429', retryAfter: 30 });
    const noRetry = new Api(TOKEN, { apiRoot: tg.apiRoot, maxRetries: 0 });
    await expect(noRetry.sendMessage({ chat_id: 1, text: 'x' })).rejects.toMatchObject({ errorCode: 429, retryAfter: 30 });
  });

  it('answers 500, a bad chat, a bad token, and refuses connections when down', async () => {
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot, maxRetries: 0 });
    tg.failNext(1, { kind: '500' });
    await expect(api.sendMessage({ chat_id: 1, text: 'x' })).rejects.toThrow();
    tg.failChat(99);
    await expect(api.sendMessage({ chat_id: 99, text: 'x' })).rejects.toThrow(/chat not found/);
    tg.setValidTokens(['other:token']);
    await expect(api.sendMessage({ chat_id: 1, text: 'x' })).rejects.toThrow(/Unauthorized/);
    tg.setValidTokens(null);

    await tg.setDown(true);
    await expect(api.sendMessage({ chat_id: 1, text: 'x' })).rejects.toThrow(/Network request failed/);
    await tg.setDown(false);
    await api.sendMessage({ chat_id: 1, text: 'back' });
    const msgs = await tg.waitForMessages(1);
    expect(msgs.map((m) => m.text)).toEqual(['back']);
  });
});
