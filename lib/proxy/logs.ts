/**
 * A domain's own access and error log (the files its template writes, see `logs` on the domain),
 * read over the server's SSH connection: the last N lines (`tail -n`), or a live follow
 * (`tail -F`) as Server-Sent Events. Who may see the domain may read its logs; a user without a
 * share of the server gets 404 like for the domain itself. The remote tail of a follow is killed
 * when the client goes away (its PID is printed first, then `exec tail` keeps that PID).
 */
import { z } from 'zod';
import type { Actor } from '../access/actor';
import { AppError, ConflictError } from '../errors';
import { SshError } from '../ssh/errors';
import { domainLogPath, nginxLayoutOf } from '../nginx/layout';
import { getServerRow, withServer } from '../servers/connection';
import { cmd } from '../ssh/quote';
import { visibleDomain } from './domains';

export const logKind = z.enum(['access', 'error'], { error: 'kind must be access or error.' });
export type LogKind = z.infer<typeof logKind>;

export const logQuery = z.object({
  kind: logKind.default('access'),
  lines: z.coerce.number({ error: 'lines must be a whole number.' }).int('lines must be a whole number.').min(1, 'At least 1 line.').max(5000, 'At most 5000 lines.').default(200),
});
export const logStreamQuery = z.object({
  kind: logKind.default('access'),
  /** Lines of history sent before the live ones (default none). */
  lines: z.coerce.number().int().min(0).max(1000).default(0),
});
export const logLinesSchema = z.object({
  kind: logKind,
  /** The file on the server. */
  path: z.string(),
  /** Oldest first; empty while the file does not exist yet (no request since the deploy). */
  lines: z.array(z.object({ text: z.string() })),
});
export type LogLines = z.infer<typeof logLinesSchema>;

const MAX_LINE = 8192;
const HEARTBEAT_MS = 15_000;
const FOLLOW_LIMIT_MS = 12 * 3600_000;
// A follow holds one of the pooled connection's 8 channels for as long as it runs: at most this
// many per server in this process, so deploys and monitoring always find a free one.
export const MAX_FOLLOWS_PER_SERVER = 4;
const following = new Map<string, number>();

const TAIL_SCRIPT = `if [ -r "$1" ]; then exec tail -n "$2" -- "$1"; fi
echo GH-NOFILE`;
// Prints its PID (which `exec tail` keeps), so that Gatehouse can end it when the client leaves.
const FOLLOW_SCRIPT = `printf 'GH-PID %s\\n' "$$"; exec tail -n "$2" -F -- "$1" 2>/dev/null`;

async function logTarget(actor: Actor, domainId: string, kind: LogKind) {
  const domain = await visibleDomain(actor, domainId);
  const on = kind === 'access' ? domain.accessLog : domain.errorLog;
  if (!on) throw new ConflictError('log_disabled', `This domain has no ${kind} log of its own: turn on logs.${kind} and deploy it.`);
  const server = await getServerRow(domain.serverId);
  return { domain, path: domainLogPath(nginxLayoutOf(server), domain.fqdn, kind) };
}

const clip = (line: string) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);

/** The last `lines` lines of the domain's access or error log. */
export async function readDomainLog(actor: Actor, domainId: string, query: { kind: LogKind; lines: number }): Promise<LogLines> {
  const { domain, path } = await logTarget(actor, domainId, query.kind);
  const r = await withServer(domain.serverId, (conn) => conn.execPrivileged(cmd`sh -c ${TAIL_SCRIPT} gh-tail ${path} ${query.lines}`, { timeoutMs: 30_000, maxBufferBytes: 8 * 1024 * 1024 })).catch((err: unknown) => {
    if (err instanceof SshError) throw new AppError(502, 'server_unreachable', err.message);
    throw err;
  });
  const text = r.stdout.trim() === 'GH-NOFILE' ? '' : r.stdout;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { kind: query.kind, path, lines: lines.map((l) => ({ text: clip(l) })) };
}

/**
 * The live follow as an SSE body: `event: log` frames with `data: {"text"}`, a `: ping` comment
 * every 15 s. Access is checked before the stream starts (errors become normal answers).
 */
export async function followDomainLog(request: Request, actor: Actor, domainId: string, query: { kind: LogKind; lines: number }): Promise<ReadableStream<Uint8Array>> {
  const { domain, path } = await logTarget(actor, domainId, query.kind);
  const open = following.get(domain.serverId) ?? 0;
  if (open >= MAX_FOLLOWS_PER_SERVER) throw new AppError(429, 'too_many_log_streams', `${open} logs of this server are followed already; close one (or read the last lines instead).`);
  following.set(domain.serverId, open + 1);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const n = (following.get(domain.serverId) ?? 1) - 1;
    if (n > 0) following.set(domain.serverId, n);
    else following.delete(domain.serverId);
  };
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let pid: number | null = null;
      let stopRemote: (() => Promise<unknown>) | null = null;
      let buffer = '';
      const send = (chunk: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          cleanup();
        }
      };
      const ping = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        release();
        clearInterval(ping);
        void stopRemote?.();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      request.signal.addEventListener('abort', cleanup);
      send('retry: 3000\n: connected\n\n');
      const onStdout = (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (pid === null) {
            const m = /^GH-PID (\d+)$/.exec(line.trim());
            if (m) {
              pid = Number(m[1]);
              if (closed) void stopRemote?.();
              continue;
            }
          }
          send(`event: log\ndata: ${JSON.stringify({ text: clip(line) })}\n\n`);
        }
      };
      void withServer(domain.serverId, async (conn) => {
        stopRemote = async () => {
          if (pid === null) return;
          const p = pid;
          pid = -1;
          if (p > 0) await conn.execPrivileged(`kill -TERM ${p} 2>/dev/null; true`, { timeoutMs: 15_000 }).catch(() => undefined);
        };
        if (closed) return;
        await conn.execPrivileged(cmd`sh -c ${FOLLOW_SCRIPT} gh-follow ${path} ${query.lines}`, { timeoutMs: FOLLOW_LIMIT_MS, onStdout, maxBufferBytes: 1 });
      })
        .catch(() => undefined)
        .finally(() => {
          release();
          if (!closed) send('event: end\ndata: {}\n\n');
          cleanup();
        });
    },
    cancel() {
      cleanup();
    },
  });
}
