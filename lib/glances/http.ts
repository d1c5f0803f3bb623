import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { AppError } from '../errors';

export type GlancesErrorKind = 'refused' | 'timeout' | 'http' | 'auth' | 'parse' | 'missing_plugin';

/**
 * A failed talk with Glances. `message` is safe for users and alerts: it never names the URL, host
 * or address (Node's own error text does, so it only ever goes to `detail`, which is for logs).
 */
export class GlancesError extends AppError {
  constructor(
    readonly kind: GlancesErrorKind,
    message: string,
    readonly detail: string = '',
    readonly httpStatus?: number,
  ) {
    super(502, `glances_${kind}`, message);
  }
}

export interface HttpLimits {
  /** Whole request, from queueing to the last body byte. */
  timeoutMs: number;
  /** TCP connect only; a dead host should fail fast without eating the whole budget. */
  connectTimeoutMs: number;
  /** Largest body we accept; a proxy error page or a runaway plugin must not fill our memory. */
  maxBytes: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

interface RequestInput extends HttpLimits {
  url: URL;
  /** urlToHttpOptions(url), when the caller has it cached (it is parsed once per URL, not per poll). */
  options?: http.RequestOptions;
  agent: http.Agent;
  authorization?: string;
  signal?: AbortSignal;
}

const HEADERS = {
  Accept: 'application/json',
  // Glances 3.3.1 answers /api/3/status with a 500 when deflate is acceptable; Glances 4 gzips
  // anything over 1 KB, which would only cost both sides CPU on a LAN.
  'Accept-Encoding': 'identity',
  'User-Agent': 'Gatehouse-monitor',
};

/** Keep-alive agents: Glances 4 (uvicorn) reuses the socket; Glances 3 (HTTP/1.0) closes it and
 * the agent simply opens a new one. The free-socket timeout stays under uvicorn's 5 s keep-alive
 * so we drop an idle socket before the server does, instead of racing its FIN. No per-host socket
 * cap by default: the poller's semaphore bounds requests in flight, and several Glances behind one
 * reverse proxy (path prefixes) share a host:port that a small cap would serialise. */
export function createGlancesAgents(maxSockets = Infinity): { http: http.Agent; https: https.Agent } {
  const options = { keepAlive: true, keepAliveMsecs: 1000, maxSockets, maxFreeSockets: 256, timeout: 4000 };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/** GET one URL, text body. Retries once when a reused keep-alive socket turns out dead. */
export async function getText(input: RequestInput): Promise<HttpAnswer> {
  try {
    return await getOnce(input);
  } catch (e) {
    if (e instanceof StaleSocket) return getOnce(input);
    throw e;
  }
}

/** The server closed a kept-alive socket just as we reused it: nothing was processed, retry. */
class StaleSocket extends Error {}

function getOnce({ url, options, agent, authorization, signal, timeoutMs, connectTimeoutMs, maxBytes }: RequestInput) {
  return new Promise<HttpAnswer>((resolve, reject) => {
    if (signal?.aborted) return reject(timeoutError('aborted before start'));
    const headers: Record<string, string> = { ...HEADERS };
    if (authorization) headers.Authorization = authorization;
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request({ ...(options ?? urlToHttpOptions(url)), method: 'GET', agent, headers });
    let done = false;
    let connectTimer: NodeJS.Timeout | undefined;
    const totalTimer = setTimeout(() => fail(timeoutError(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => fail(timeoutError('aborted by caller'));
    signal?.addEventListener('abort', onAbort, { once: true });

    function settle() {
      done = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      signal?.removeEventListener('abort', onAbort);
    }
    function fail(err: Error) {
      if (done) return;
      settle();
      req.destroy();
      reject(err);
    }

    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => fail(new GlancesError('timeout', 'Glances did not accept the connection in time.', `connect timeout ${connectTimeoutMs} ms`)), connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (done) return;
      if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return fail(new StaleSocket(err.message));
      fail(networkError(err));
    });
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (declared > maxBytes) return fail(tooLarge(declared, maxBytes));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(tooLarge(size, maxBytes));
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (done) return;
        settle();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail(networkError(err)));
      res.on('close', () => {
        if (!res.complete) fail(new GlancesError('refused', 'The connection to Glances closed mid-answer.', 'response incomplete'));
      });
    });
    req.end();
  });
}

function timeoutError(detail: string) {
  return new GlancesError('timeout', 'Glances did not answer in time.', detail);
}

function tooLarge(size: number, max: number) {
  return new GlancesError('parse', 'Glances sent an answer that is too large.', `body ${size} bytes > limit ${max}`);
}

const NETWORK_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'Glances refused the connection; is it running with -w?',
  ENOTFOUND: 'The Glances host name could not be resolved.',
  EAI_AGAIN: 'The Glances host name could not be resolved.',
  EHOSTUNREACH: 'The Glances host is unreachable.',
  ENETUNREACH: 'The Glances host is unreachable.',
  ECONNRESET: 'The connection to Glances was reset.',
  EPIPE: 'The connection to Glances was reset.',
  ETIMEDOUT: 'Glances did not accept the connection in time.',
};

/** Node's error text carries the address ("connect ECONNREFUSED 10.0.0.5:61208"): detail only. */
function networkError(err: NodeJS.ErrnoException): GlancesError {
  const code = err.code ?? '';
  const raw = `${code} ${err.message}`.trim();
  if (code === 'ETIMEDOUT') return new GlancesError('timeout', NETWORK_MESSAGES.ETIMEDOUT, raw);
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) {
    return new GlancesError('refused', 'The TLS handshake with Glances failed.', raw);
  }
  return new GlancesError('refused', NETWORK_MESSAGES[code] ?? 'Could not connect to Glances.', raw);
}

/** `Basic …` header, or undefined when no user is set. */
export function basicAuth(username?: string | null, password?: string | null): string | undefined {
  if (!username) return undefined;
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`;
}
