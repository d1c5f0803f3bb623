/**
 * Turns any thrown value into a short, fixed phrase for a Telegram message. Library messages
 * are never echoed: they embed URLs, addresses and host names (`connect ECONNREFUSED
 * 10.0.0.5:61208`, `getaddrinfo ENOTFOUND db01`). Only codes, names, HTTP statuses and a few
 * message keywords are read, and each maps to words we wrote.
 */
export function describeError(err: unknown): string {
  const seen = collect(err);
  for (const e of seen) {
    const phrase = byCode(e.code) ?? byName(e.name) ?? bySsh2Level(e.level);
    if (phrase) return phrase;
  }
  for (const e of seen) {
    const status = httpStatus(e);
    if (status !== undefined) return describeHttpStatus(status);
  }
  for (const e of seen) {
    const phrase = byKeyword(e.message);
    if (phrase) return phrase;
  }
  return 'unexpected error';
}

/** `HTTP 503 (service unavailable)`; the words keep it readable for someone on a phone. */
export function describeHttpStatus(status: number): string {
  const words = STATUS_WORDS[status] ?? (status >= 500 ? 'server error' : status >= 400 ? 'request rejected' : undefined);
  return words ? `HTTP ${status} (${words})` : `HTTP ${status}`;
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  level?: unknown;
  message?: unknown;
  status?: unknown;
  statusCode?: unknown;
  errorCode?: unknown;
  response?: { status?: unknown };
}

/** The error, its `cause` chain and AggregateError members, breadth-first and bounded. */
function collect(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 16) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || out.includes(e as ErrorLike)) continue;
    out.push(e as ErrorLike);
    const { cause, errors } = e as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors.slice(0, 8));
  }
  return out;
}

const CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ECONNABORTED: 'connection aborted',
  UND_ERR_SOCKET: 'connection reset',
  UND_ERR_CLOSED: 'connection reset',
  ETIMEDOUT: 'timed out',
  ETIMEOUT: 'timed out',
  ESOCKETTIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  UND_ERR_BODY_TIMEOUT: 'timed out',
  ABORT_ERR: 'timed out',
  ENOTFOUND: 'name not resolved',
  EAI_AGAIN: 'name not resolved',
  EAI_NONAME: 'name not resolved',
  EAI_FAIL: 'name not resolved',
  ENODATA: 'name not resolved',
  ESERVFAIL: 'name not resolved',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network unreachable',
  EADDRNOTAVAIL: 'network unreachable',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'file not found',
  ENOSPC: 'no space left',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted certificate',
  CERT_UNTRUSTED: 'untrusted certificate',
  CERT_REVOKED: 'certificate revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate name mismatch',
  HOSTNAME_MISMATCH: 'certificate name mismatch',
  EPROTO: 'TLS handshake failed',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'timed out',
};

function byCode(code: unknown): string | undefined {
  if (typeof code !== 'string') return undefined;
  if (CODES[code]) return CODES[code];
  if (/^ERR_SSL_|^ERR_TLS_/.test(code)) return 'TLS handshake failed';
  if (/CERT/.test(code)) return 'certificate error';
  return undefined;
}

function byName(name: unknown): string | undefined {
  return name === 'AbortError' || name === 'TimeoutError' ? 'timed out' : undefined;
}

/** ssh2 marks its errors with a `level` instead of a code. */
function bySsh2Level(level: unknown): string | undefined {
  if (level === 'client-authentication') return 'authentication failed';
  if (level === 'client-timeout') return 'timed out';
  if (level === 'protocol' || level === 'handshake') return 'SSH handshake failed';
  return undefined;
}

function httpStatus(e: ErrorLike): number | undefined {
  for (const value of [e.statusCode, e.response?.status, e.errorCode, e.status]) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) return value;
  }
  return undefined;
}

/** Last resort for libraries that only put the cause in words; the words are never echoed. */
function byKeyword(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  if (/timed? ?out|timeout/i.test(message)) return 'timed out';
  if (/refused/i.test(message)) return 'connection refused';
  if (/certificate/i.test(message)) return 'certificate error';
  if (/authenticat|permission denied|unauthori[sz]ed/i.test(message)) return 'authentication failed';
  if (/host key/i.test(message)) return 'host key mismatch';
  return undefined;
}

const STATUS_WORDS: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  408: 'timed out',
  409: 'conflict',
  429: 'rate limited',
  500: 'server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};
