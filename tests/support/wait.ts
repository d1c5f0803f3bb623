import net from 'node:net';
import http from 'node:http';
import https from 'node:https';

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 25 ms). */
  intervalMs?: number;
  /** Named in the timeout error, e.g. "sshd on 127.0.0.1:40123". */
  description?: string;
  /** Called after each failed attempt; throw from it to stop waiting early (e.g. the child died). */
  abortIf?: () => void;
}

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the deadline passes.
 * A throw from `fn` counts as "not yet"; the last one is quoted in the timeout error. This is
 * the only way tests synchronise with other processes: wait for the condition, never sleep.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    opts.abortIf?.();
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const what = opts.description ?? 'condition';
  const why = lastError instanceof Error ? `; last error: ${lastError.message}` : lastError ? `; last error: ${String(lastError)}` : '';
  throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms (${attempts} attempts)${why}`);
}

/** One TCP connect attempt; resolves true when something accepts on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until a TCP connect to host:port succeeds. */
export async function waitForPort(host: string, port: number, opts: WaitOptions = {}): Promise<void> {
  await waitFor(() => canConnect(host, port), { description: `TCP ${host}:${port} accepting`, ...opts });
}

/** Waits until nothing accepts on host:port any more. */
export async function waitForPortClosed(host: string, port: number, opts: WaitOptions = {}): Promise<void> {
  await waitFor(async () => !(await canConnect(host, port)), { description: `TCP ${host}:${port} closed`, ...opts });
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Extra CA certificates (PEM) to trust for https. */
  ca?: string | string[];
  /** Per-request timeout (default 5 s). */
  timeoutMs?: number;
  /** Override the TCP target while keeping the URL's Host header (like curl --resolve). */
  connectTo?: { host: string; port: number };
}

/**
 * A small HTTP(S) client on node:http(s), one request, no keep-alive, body read as UTF-8.
 * Sends `Accept-Encoding: identity` unless told otherwise (Glances 3 answers 500 to deflate).
 */
export function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const lib = isHttps ? https : http;
  const headers: Record<string, string> = { 'accept-encoding': 'identity', ...lowerKeys(opts.headers ?? {}) };
  if (opts.connectTo && !headers.host) headers.host = u.host;
  if (u.username || u.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  }
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        protocol: u.protocol,
        host: opts.connectTo?.host ?? u.hostname.replace(/^\[|\]$/g, ''),
        port: opts.connectTo?.port ?? (u.port ? Number(u.port) : isHttps ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers,
        agent: false,
        servername: isHttps && !net.isIP(u.hostname) ? u.hostname : undefined,
        ...(isHttps ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`HTTP ${req.method} ${url} timed out`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface WaitForHttpOptions extends WaitOptions, HttpRequestOptions {
  /** Which answers count as ready (default: any 2xx). */
  accept?: (res: HttpResult) => boolean;
}

/** Polls `url` until it answers as `accept` wants (default 2xx); returns that answer. */
export async function waitForHttp(url: string, opts: WaitForHttpOptions = {}): Promise<HttpResult> {
  const accept = opts.accept ?? ((r: HttpResult) => r.status >= 200 && r.status < 300);
  return waitFor(
    async () => {
      const res = await httpRequest(url, { timeoutMs: 2000, ...opts });
      if (accept(res)) return res;
      throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    },
    { description: `HTTP ${url} ready`, ...opts },
  );
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
