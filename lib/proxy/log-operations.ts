import { defineOperations, serverErrors } from '../operation';
import { logLinesSchema, logQuery, logStreamQuery } from './logs';

/** A domain's own access and error log, read over SSH (CONTRACT.md, Second wave). */
export const logOps = defineOperations({
  domainLogs: {
    method: 'GET', path: '/domains/{id}/logs', summary: 'The last lines of the domain\'s access or error log', tag: 'domains', auth: 'user',
    query: logQuery, response: logLinesSchema,
    errors: { 409: '`log_disabled`: the domain has no log file of that kind', ...serverErrors },
    description: 'Read on the server over SSH (`tail -n`). 409 `log_disabled` when the domain has no log file of that kind (`logs.access`/`logs.error` off); 502 `server_unreachable` when SSH fails.',
  },
  domainLogStream: {
    method: 'GET', path: '/domains/{id}/logs/stream', summary: 'Server-Sent Events: the domain\'s access or error log, live', tag: 'domains', auth: 'user',
    query: logStreamQuery, produces: 'text/event-stream',
    errors: { 409: '`log_disabled`: the domain has no log file of that kind', 429: '`too_many_log_streams`: 4 follows of this server are open already' },
    description: '429 `too_many_log_streams` beyond 4 follows of one server at a time. Frames `event: log` with `data: {"text": "…"}`, one per new line (`tail -F` on the server, over SSH); a `: ping` comment every 15 s; `event: end` when the server connection ends. `lines` sends that much history first. The remote tail is stopped when the client disconnects.',
  },
});
