import { defineOperations } from '../operation';
import { taskAccepted } from '../tasks/schemas';
import { bulkInput } from './schemas';

export const bulkOps = defineOperations({
  run: {
    method: 'POST', path: '/bulk', summary: 'Run one action on many servers (a selection or a tag) as one task', tag: 'servers', auth: 'admin',
    body: bulkInput, response: taskAccepted, status: 202,
    description:
      'Admins only, for every action (a user cannot bulk: 403). `servers` is `{"ids": [...]}` or `{"tag": "..."}` (the servers carrying that tag when the task is queued). ' +
      '`deploy` deploys every domain of each server, `test` runs the connection test, `silence` silences each server for `durationMinutes` from now (optional `reason`), ' +
      '`share` adds `userId` to each server\'s shares (read-only; existing shares stay). Each item runs the same command as its single-server route. ' +
      'The task (kind `bulk.run`) advances `progress` (0–100) by one item\'s share as each item finishes and logs one line per item: `ok`, `failed` (with the reason) or `skipped`; ' +
      'when every item succeeded its result is `{action, total, succeeded, failed, items: [{serverId, name, outcome, message}]}`; when any failed, the task fails once all were tried, its error counting the failures. ' +
      '422 names unknown server ids (`servers.ids`), a tag no server carries (`servers.tag`) or an unknown user (`userId`). Audited as `server.bulk`.',
  },
});
