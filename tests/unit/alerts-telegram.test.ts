import http from 'node:http';
import type net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendTelegramMessage, type TelegramSendResult, type TelegramTarget } from '@/lib/alerts/telegram';
import { startTelegramFake, type TelegramFake } from '@/tests/support/telegram-fake';
import { freePort } from '@/tests/support/ports';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

function expectNoToken(result: TelegramSendResult): void {
  const text = JSON.stringify(result);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
}

describe('sendTelegramMessage against the fake Bot API', () => {
  let tg: TelegramFake;
  let target: TelegramTarget;

  beforeAll(async () => {
    tg = await startTelegramFake();
    target = { token: TOKEN, chatId: -1001234567890, apiRoot: tg.apiRoot };
  });
  afterEach(async () => {
    await tg.setDown(false);
    tg.setValidTokens(null);
    tg.reset();
  });
  afterAll(() => tg.stop());

  it('sends HTML with previews off and returns the message id', async () => {
    const result = await sendTelegramMessage({ ...target, threadId: 42 }, '<b>Critical</b> · CPU &amp; more');
    expect(result).toEqual({ ok: true, messageId: expect.any(Number) });
    const [call] = tg.messages;
    expect(call).toMatchObject({
      token: TOKEN,
      method: 'sendMessage',
      chat_id: '-1001234567890',
      text: '<b>Critical</b> · CPU &amp; more',
      parse_mode: 'HTML',
      message_thread_id: '42',
    });
    expect(JSON.parse(call!.params.link_preview_options!)).toEqual({ is_disabled: true });
  });

  it('leaves out message_thread_id when no thread is set', async () => {
    await sendTelegramMessage(target, 'hi');
    expect(tg.messages[0]!.params).not.toHaveProperty('message_thread_id');
  });

  it('reports a 429 with its retry_after, once (the outbox retries, not the library)', async () => {
    tg.failNext(1, { kind: '429', retryAfter: 17 });
    const result = await sendTelegramMessage(target, 'hi');
    expect(result).toEqual({ ok: false, permanent: false, retryAfterSeconds: 17, reason: 'rate limited by Telegram' });
    expect(tg.calls).toHaveLength(1);
  });

  it('treats a 500 as transient', async () => {
    tg.failNext(1, { kind: '500' });
    const result = await sendTelegramMessage(target, 'hi');
    expect(result).toEqual({ ok: false, permanent: false, reason: 'Telegram server error (HTTP 500)' });
    expect(tg.calls).toHaveLength(1);
  });

  it('treats an unknown chat, a blocked bot and a bad token as permanent', async () => {
    tg.failChat(target.chatId);
    expect(await sendTelegramMessage(target, 'hi')).toEqual({ ok: false, permanent: true, reason: 'chat not found' });
    tg.failNext(1, { kind: '403' });
    expect(await sendTelegramMessage({ ...target, chatId: 5 }, 'hi')).toEqual({ ok: false, permanent: true, reason: 'bot was blocked by the user' });
    tg.setValidTokens(['999:other']);
    const bad = await sendTelegramMessage(target, 'hi');
    expect(bad).toEqual({ ok: false, permanent: true, reason: 'bot token rejected by Telegram' });
    expectNoToken(bad);
  });

  it('reports a refused connection as transient, in plain words', async () => {
    const result = await sendTelegramMessage({ ...target, apiRoot: `http://127.0.0.1:${await freePort()}` }, 'hi');
    expect(result).toEqual({ ok: false, permanent: false, reason: 'cannot reach Telegram: connection refused' });
    expectNoToken(result);
  });

  it('keeps a message waiting while Telegram is down', async () => {
    await sendTelegramMessage(target, 'warm the keep-alive pool');
    await tg.setDown(true);
    // A pooled socket that the server dropped reads as a reset, a new one as refused.
    const result = await sendTelegramMessage(target, 'hi');
    expect(result).toMatchObject({ ok: false, permanent: false, reason: expect.stringMatching(/^cannot reach Telegram: connection (reset|refused)$/) });
    await tg.setDown(false);
    expect(await sendTelegramMessage(target, 'hi')).toMatchObject({ ok: true });
  });

  it('never returns the token, even when Telegram echoes it', async () => {
    tg.failNext(1, { kind: '400', description: `Bad Request: bad thing near bot${TOKEN}/sendMessage at 10.1.2.3` });
    const result = await sendTelegramMessage(target, 'hi');
    expect(result).toMatchObject({ ok: false, permanent: true });
    expectNoToken(result);
    expect(JSON.stringify(result)).not.toContain('10.1.2.3');
  });
});

describe('sendTelegramMessage against odd servers', () => {
  let server: http.Server;
  let apiRoot: string;
  let answer: (res: http.ServerResponse) => void = () => {};
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res));
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiRoot = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads the status of a body-less 502 from a proxy', async () => {
    answer = (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    const result = await sendTelegramMessage({ token: TOKEN, chatId: 1, apiRoot }, 'hi');
    expect(result).toEqual({ ok: false, permanent: false, reason: 'Telegram server error (HTTP 502)' });
  });

  it('times out a server that never answers', async () => {
    answer = () => {};
    const result = await sendTelegramMessage({ token: TOKEN, chatId: 1, apiRoot }, 'hi', { timeoutMs: 200 });
    expect(result).toEqual({ ok: false, permanent: false, reason: 'Telegram timed out' });
  });

  it('treats a non-JSON 200 as transient', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from bot${TOKEN}`);
    const result = await sendTelegramMessage({ token: TOKEN, chatId: 1, apiRoot }, 'hi');
    expect(result).toEqual({ ok: false, permanent: false, reason: 'invalid response from Telegram' });
  });

  it('passes on a group migration so the chat id can be updated', async () => {
    answer = (res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          ok: false,
          error_code: 400,
          description: 'Bad Request: group chat was upgraded to a supergroup chat',
          parameters: { migrate_to_chat_id: -1009876543210 },
        }),
      );
    const result = await sendTelegramMessage({ token: TOKEN, chatId: -42, apiRoot }, 'hi');
    expect(result).toEqual({ ok: false, permanent: true, reason: 'chat was upgraded to a supergroup', migrateToChatId: -1009876543210 });
  });
});
