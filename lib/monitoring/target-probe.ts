import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Health probes for upstream targets. They never throw: a probe's answer is up or down. The
 * message is a plain sentence without the target's address (it may reach an alert); Node's raw
 * error text goes to `detail`, for logs.
 */

export interface ProbeResult {
  up: boolean;
  latencyMs: number;
  /** HTTP probes only: the status the target answered with. */
  statusCode?: number;
  message: string;
  detail?: string;
}

export interface ProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpProbeTarget {
  host: string;
  port: number;
  /** Request path, `/` by default. */
  path?: string;
  tls?: boolean;
  /** Host header (and TLS SNI): the site name, since upstreams often serve several. */
  hostHeader?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

const CONNECT_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'The target refused the connection.',
  ECONNRESET: 'The target reset the connection.',
  EHOSTUNREACH: 'The target is unreachable.',
  ENETUNREACH: 'The target is unreachable.',
  ENOTFOUND: 'The target host name could not be resolved.',
  EAI_AGAIN: 'The target host name could not be resolved.',
  ETIMEDOUT: 'The target did not answer in time.',
};

function down(started: number, err: unknown, timedOut: boolean): ProbeResult {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  const message = timedOut
    ? 'The target did not answer in time.'
    : code.startsWith('HPE_')
      ? 'The target did not answer with HTTP.'
      : (CONNECT_MESSAGES[code] ?? 'The target could not be reached.');
  return { up: false, latencyMs: Date.now() - started, message, detail: `${e?.code ?? ''} ${e?.message ?? String(err)}`.trim() };
}

/** Up when a TCP connection opens within the timeout. */
export function probeTcp(target: { host: string; port: number }, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish(down(started, new Error('aborted'), true));
    const timer = setTimeout(onAbort, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ up: true, latencyMs: Date.now() - started, message: 'The target accepts connections.' }));
    socket.once('error', (err) => finish(down(started, err, false)));
  });
}

/**
 * GET the path; up when the target answers with a status below 500 (a 404 or 401 still proves the
 * application is serving). Only the status line and headers are awaited, never the body. TLS
 * certificates are not verified: this checks liveness, and upstreams often use self-signed ones.
 */
export function probeHttp(target: HttpProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const mod = target.tls ? https : http;
    const headers: Record<string, string> = { 'User-Agent': 'Gatehouse-probe', Accept: '*/*', Connection: 'close' };
    if (target.hostHeader) headers.Host = target.hostHeader;
    const req = mod.request({
      host: target.host,
      port: target.port,
      path: target.path || '/',
      method: 'GET',
      headers,
      agent: false, // one fresh connection per probe: a pooled socket would hide a dead listener
      ...(target.tls ? { rejectUnauthorized: false, servername: sni(target) } : {}),
    });
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(result);
    };
    const onAbort = () => finish(down(started, new Error('aborted'), true));
    const timer = setTimeout(onAbort, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      const up = status > 0 && status < 500;
      res.resume();
      finish({
        up,
        latencyMs: Date.now() - started,
        statusCode: status,
        message: up ? `The target answered with HTTP ${status}.` : `The target answered with server error HTTP ${status}.`,
      });
    });
    req.once('error', (err) => finish(down(started, err, false)));
    req.end();
  });
}

/** SNI must be a host name, never an IP address (RFC 6066). */
function sni(target: HttpProbeTarget): string | undefined {
  const name = target.hostHeader?.replace(/:\d+$/, '') ?? target.host;
  return net.isIP(name) ? undefined : name;
}
