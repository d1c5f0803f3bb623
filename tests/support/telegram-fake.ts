/**
 * In-process fake of the Telegram Bot API (node:http). Point the client at `apiRoot`
 * (node-telegram-bot-api 2.x: `new Api(token, { apiRoot })`; Gatehouse: TELEGRAM_API_URL).
 *
 *   const tg = await startTelegramFake();
 *   // POST {apiRoot}/bot<token>/sendMessage  (form-encoded as the library sends it, JSON, or multipart)
 *   tg.messages        // [{ token, chat_id, text, parse_mode, message_thread_id, params, at }]
 *   tg.failNext(2, { kind: '429', retryAfter: 3 })   // next 2 calls: 429 + parameters.retry_after
 *   tg.failNext(1, { kind: '500' })
 *   tg.setFailing({ kind: '500' })   // every call fails this way until setFailing(null) (an outage of any length)
 *   await tg.setDown(true)    // connections refused until setDown(false)
 *   await tg.waitForMessages(3)
 */
import http from 'node:http';
import net from 'node:net';
import { waitFor, type WaitOptions } from './wait';

export interface TelegramCall {
  token: string;
  method: string;
  params: Record<string, string>;
  chat_id?: string;
  text?: string;
  parse_mode?: string;
  message_thread_id?: string;
  /** What the fake answered. */
  status: number;
  at: number;
}

export type TelegramFailure =
  | { kind: '429'; retryAfter?: number }
  | { kind: '500' }
  | { kind: '400'; description?: string }
  | { kind: '403'; description?: string };

export interface TelegramFake {
  port: number;
  /** http://127.0.0.1:PORT (the client appends /bot<token>/<method>) */
  apiRoot: string;
  /** Every call, answered or failed. */
  calls: TelegramCall[];
  /** Successful sendMessage calls only. */
  readonly messages: TelegramCall[];
  /** Answer the next `count` calls (any method) with this failure. */
  failNext(count: number, failure: TelegramFailure): void;
  /** Answer every call with this failure (after any `failNext` ones) until `setFailing(null)`. */
  setFailing(failure: TelegramFailure | null): void;
  /** Answer sendMessage to this chat with 400 "Bad Request: chat not found" (or the given description). */
  failChat(chatId: string | number, description?: string): void;
  /** true: refuse connections (stop listening) until setDown(false). */
  setDown(down: boolean): Promise<void>;
  /** Only these tokens are accepted (others get 401 Unauthorized). Default: any token. */
  setValidTokens(tokens: string[] | null): void;
  waitForMessages(count: number, opts?: WaitOptions): Promise<TelegramCall[]>;
  reset(): void;
  stop(): Promise<void>;
}

function parseMultipart(body: Buffer, contentType: string): Record<string, string> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return {};
  const boundary = `--${m[1] ?? m[2]}`;
  const out: Record<string, string> = {};
  for (const part of body.toString('latin1').split(boundary)) {
    const idx = part.indexOf('\r\n\r\n');
    if (idx < 0) continue;
    const head = part.slice(0, idx);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name || /filename=/i.test(head)) continue;
    out[name] = Buffer.from(part.slice(idx + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8');
  }
  return out;
}

function parseParams(req: http.IncomingMessage, body: Buffer): Record<string, string> {
  const params: Record<string, string> = {};
  const url = new URL(req.url ?? '/', 'http://fake');
  for (const [k, v] of url.searchParams) params[k] = v;
  const type = String(req.headers['content-type'] ?? '');
  if (!body.length) return params;
  if (type.includes('application/json')) {
    const obj = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  } else if (type.includes('multipart/form-data')) {
    Object.assign(params, parseMultipart(body, type));
  } else {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  }
  return params;
}

export async function startTelegramFake(): Promise<TelegramFake> {
  const calls: TelegramCall[] = [];
  const queue: TelegramFailure[] = [];
  let failing: TelegramFailure | null = null;
  const badChats = new Map<string, string>();
  let validTokens: Set<string> | null = null;
  let messageId = 1;
  const sockets = new Set<net.Socket>();
  let listening = false;
  let port = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, payload: unknown, call?: TelegramCall) => {
        if (call) call.status = status;
        const text = JSON.stringify(payload);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      const m = /^\/bot([^/]+)\/([A-Za-z]+)\/?(?:\?.*)?$/.exec(req.url ?? '');
      if (!m) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, token, method] = m;
      let params: Record<string, string>;
      try {
        params = parseParams(req, Buffer.concat(chunks));
      } catch {
        return send(400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON object" });
      }
      const call: TelegramCall = {
        token,
        method,
        params,
        chat_id: params.chat_id,
        text: params.text,
        parse_mode: params.parse_mode,
        message_thread_id: params.message_thread_id,
        status: 0,
        at: Date.now(),
      };
      calls.push(call);

      if (validTokens && !validTokens.has(token)) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' }, call);
      const failure = queue.shift() ?? failing;
      if (failure) {
        switch (failure.kind) {
          case '429': {
            const retryAfter = failure.retryAfter ?? 1;
            return send(
              429,
              { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } },
              call,
            );
          }
          case '500':
            return send(500, { ok: false, error_code: 500, description: 'Internal Server Error' }, call);
          case '400':
            return send(400, { ok: false, error_code: 400, description: failure.description ?? 'Bad Request: message text is empty' }, call);
          case '403':
            return send(403, { ok: false, error_code: 403, description: failure.description ?? 'Forbidden: bot was blocked by the user' }, call);
        }
      }
      switch (method) {
        case 'getMe':
          return send(
            200,
            {
              ok: true,
              result: {
                id: 7_000_000_001,
                is_bot: true,
                first_name: 'Gatehouse Test Bot',
                username: 'gatehouse_test_bot',
                can_join_groups: true,
                can_read_all_group_messages: false,
                supports_inline_queries: false,
              },
            },
            call,
          );
        case 'sendMessage': {
          if (!params.chat_id) return send(400, { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' }, call);
          if (!params.text) return send(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' }, call);
          const bad = badChats.get(String(params.chat_id));
          if (bad) return send(400, { ok: false, error_code: 400, description: bad }, call);
          const chatId = /^-?\d+$/.test(params.chat_id) ? Number(params.chat_id) : params.chat_id;
          return send(
            200,
            {
              ok: true,
              result: {
                message_id: messageId++,
                ...(params.message_thread_id ? { message_thread_id: Number(params.message_thread_id) } : {}),
                from: { id: 7_000_000_001, is_bot: true, first_name: 'Gatehouse Test Bot', username: 'gatehouse_test_bot' },
                chat: typeof chatId === 'number' && chatId < 0 ? { id: chatId, title: 'Test group', type: 'supergroup' } : { id: chatId, first_name: 'Test', type: 'private' },
                date: Math.floor(Date.now() / 1000),
                text: params.text,
              },
            },
            call,
          );
        }
        default:
          return send(200, { ok: true, result: true }, call);
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listen = async () => {
    if (listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    port = (server.address() as net.AddressInfo).port;
    listening = true;
  };
  const unlisten = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();

  const fake: TelegramFake = {
    port,
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    get messages() {
      return calls.filter((c) => c.method === 'sendMessage' && c.status === 200);
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i++) queue.push(failure);
    },
    setFailing(failure) {
      failing = failure;
    },
    failChat(chatId, description = 'Bad Request: chat not found') {
      badChats.set(String(chatId), description);
    },
    setDown: (down) => (down ? unlisten() : listen()),
    setValidTokens(tokens) {
      validTokens = tokens ? new Set(tokens) : null;
    },
    waitForMessages: (count, opts) =>
      waitFor(() => (fake.messages.length >= count ? fake.messages : null), { description: `${count} Telegram message(s)`, ...opts }),
    reset() {
      calls.length = 0;
      queue.length = 0;
      failing = null;
      badChats.clear();
    },
    stop: unlisten,
  };
  return fake;
}
