import { z } from 'zod';
import { defineOperations } from '../operation';
import { taskAccepted } from '../tasks/schemas';
import { installGlancesInput, serverCreateInput, serverListParams, serverPatchInput, serverSchema, trustHostKeyInput } from './schemas';

const list = z.object({ items: z.array(serverSchema), nextCursor: z.string().nullable() });
const task = { response: taskAccepted, status: 202, tag: 'servers', auth: 'operate' } as const;

export const serverOps = defineOperations({
  list: { method: 'GET', path: '/servers', summary: 'Servers (users: the ones shared with them)', tag: 'servers', auth: 'user', query: serverListParams, response: list },
  create: {
    method: 'POST', path: '/servers', summary: 'Add a server', tag: 'servers', auth: 'admin', body: serverCreateInput, response: serverSchema, status: 201, errors: { 409: '`server_exists`: the name is taken' },
    description:
      '`password`, `privateKey`, `passphrase` and `glances.password` are write-only: stored encrypted, never returned (`hasPassword` etc. say whether one is set). ' +
      'Give `hostKeyFingerprint` to pin a key checked out of band; otherwise the first successful connection pins it (trust on first use). ' +
      '`nginxLayout` describes a non-standard Nginx (managed directory, main config, command, PID file, ports).',
  },
  get: { method: 'GET', path: '/servers/{id}', summary: 'One server', tag: 'servers', auth: 'user', response: serverSchema },
  update: {
    method: 'PATCH', path: '/servers/{id}', summary: 'Change a server, or share it (`shares`)', tag: 'servers', auth: 'admin', body: serverPatchInput, response: serverSchema, errors: { 409: '`server_exists`: the name is taken' },
    description: 'Secrets left out stay unchanged. Switching `authMethod` drops the other method\'s secrets. ' +
      '`shares: [{userId, level}]` replaces the list of users it is shared with: `view` sees it read-only, `operate` may also test, install, deploy, ' +
      'edit its domains (not their custom directives) and silence its alerts. `sharedWith` (user ids) still works and means `view` for each; give one or the other.',
  },
  remove: {
    method: 'DELETE', path: '/servers/{id}', summary: 'Delete a server', tag: 'servers', auth: 'admin', status: 204,
    description: '409 `server_has_domains` (with `details.domains`) while domains live on it; otherwise its tasks, metrics, alerts and shares go with it.',
    errors: { 409: '`server_has_domains` (with `details.domains`)' },
  },
  test: { method: 'POST', path: '/servers/{id}/test', summary: 'Test the connection (SSH, sudo, OS, Nginx, Glances) as a task', ...task },
  installNginx: { method: 'POST', path: '/servers/{id}/install-nginx', summary: 'Install and set up Nginx (idempotent) as a task', ...task },
  installGlances: {
    method: 'POST', path: '/servers/{id}/install-glances', summary: 'Install Glances as a service (idempotent) as a task', ...task, body: installGlancesInput,
    description: '`bind` (default: the server\'s host when it is an IP address) is where Glances listens: its API has no password, so choose a private address. Sets the Glances URL when none is set.',
  },
  trustHostKey: {
    method: 'POST', path: '/servers/{id}/trust-host-key', summary: 'Trust a changed host key (re-pin)', tag: 'servers', auth: 'admin', body: trustHostKeyInput, response: serverSchema, errors: { 409: '`no_offered_host_key`: no refused key to trust' },
    description:
      'Re-pins the host key: to `fingerprint` when given, else to the key the last refused connection offered (`offeredHostKeyFingerprint`). ' +
      'The pin is never cleared, so no connection is ever made that would accept any key. Audited as `server.host_key_trusted`. 409 `no_offered_host_key` when there is nothing to trust.',
  },
});
