/**
 * Response shapes of the proxy API (CONTRACT.md: Upstream, Domain, templates, config, drift),
 * as zod schemas for the OpenAPI document and as types for lib and the console.
 */
import { z } from 'zod';
import { multilineString } from '../nginx/grammar';

const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const targetSchema = z.object({
  /** Changes when the pool's targets are replaced (an edit of the list); health events name it. */
  id: z.string(),
  host: z.string(),
  port: z.number().int(),
  weight: z.number().int(),
  backup: z.boolean(),
  maxFails: z.number().int(),
  failTimeoutSeconds: z.number().int(),
  /** The last probe (job or "Check now"); `error` is a plain sentence without the address. */
  health: z.object({ status: z.enum(['unknown', 'up', 'down']), checkedAt: z.string().nullable(), error: z.string().nullable() }),
});

export const upstreamSchema = z.object({
  id: z.string(),
  name: z.string(),
  method: z.enum(['round_robin', 'least_conn', 'ip_hash']),
  keepalive: z.number().int().nullable(),
  healthCheck: z.object({ type: z.enum(['none', 'http', 'tcp']), path: z.string().optional(), intervalSeconds: z.number().int().optional() }).nullable(),
  targets: z.array(targetSchema),
  /** How many domains proxy to this pool. */
  domainCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const redirectSchema = z.object({
  url: z.string(),
  code: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)]),
  preservePath: z.boolean().describe('Append the request\'s path and query to the URL.'),
});

export const accessListSchema = z.object({
  id: z.string(),
  name: z.string(),
  satisfy: z.enum(['all', 'any']).describe('all: the address rules and the password must both pass; any: one is enough.'),
  users: z.array(z.object({ username: z.string(), hasPassword: z.boolean() })).describe('Passwords are write-only; Gatehouse keeps only a SHA-512 crypt hash.'),
  rules: z.array(z.object({ action: z.enum(['allow', 'deny']), source: z.string() })).describe('Checked in order; the first match decides.'),
  /** How many domains use it (directly or in a location). */
  domainCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const accessListList = list(accessListSchema);
export type AccessListDto = z.infer<typeof accessListSchema>;

export const domainStatus = z.enum(['pending', 'deployed', 'failed', 'drifted']);

export const domainSchema = z.object({
  id: z.string(),
  fqdn: z.string(),
  aliases: z.array(z.string()),
  serverId: z.string(),
  /** Null only when the domain redirects. */
  upstreamId: z.string().nullable(),
  redirect: redirectSchema.nullable(),
  accessListId: z.string().nullable(),
  locations: z.array(
    z.object({
      path: z.string(),
      upstreamId: z.string().nullable(),
      redirect: redirectSchema.nullable(),
      websocket: z.boolean(),
      clientMaxBodySize: z.string(),
      accessListId: z.string().nullable().describe('Null: the domain\'s own access list applies.'),
    }),
  ),
  templateId: z.string().nullable(),
  ssl: z.object({
    mode: z.enum(['none', 'custom', 'acme']),
    certificateId: z.string().nullable(),
    forceHttps: z.boolean(),
    hsts: z.boolean(),
    http2: z.boolean(),
  }),
  websocket: z.boolean(),
  clientMaxBodySize: z.string(),
  customDirectives: z.string(),
  /** Per-domain access and error log files on the server (GET /domains/{id}/logs). */
  logs: z.object({ access: z.boolean(), error: z.boolean() }),
  nameservers: z.object({ expected: z.array(z.string()), pattern: z.string().nullable() }),
  status: domainStatus,
  /** Why the last deploy failed (Nginx's own message), or what drifted. */
  lastError: z.string().nullable(),
  nsStatus: z.enum(['unknown', 'ok', 'mismatch', 'error']),
  deployedAt: z.string().nullable(),
  /** Lower-case labels, sorted. */
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['http', 'ssl']),
  body: z.string(),
  builtin: z.boolean(),
  domainCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const configFileSchema = z.object({
  path: z.string().describe('Absolute path of the file on the server (what `cat` there needs).'),
  name: z.string().describe('The path relative to `managedDir`, e.g. `domains/example.com.conf`.'),
  content: z.string().describe('The file as written; a private key is never shown, its content is a placeholder.'),
  sha256: z.string().describe('Hex SHA-256 of the file\'s bytes on the server (for a private key, of the key, not of the placeholder).'),
});
export const fileDiffSchema = z.object({
  path: z.string().describe('Relative to `managedDir` (a file\'s `name`).'),
  status: z.enum(['added', 'removed', 'changed']),
  patch: z.string(),
});

export const serverConfigSchema = z.object({
  /** Private keys are never shown: their content is a placeholder. */
  managedDir: z.string(),
  files: z.array(configFileSchema),
  /** What a deploy would change, compared with the last deployed manifest. */
  changes: z.array(fileDiffSchema),
});

export const domainConfigSchema = z.object({
  managedDir: z.string(),
  files: z.array(configFileSchema),
  deployed: z.array(configFileSchema),
  changes: z.array(fileDiffSchema),
});

const driftReport = z.object({
  serverId: z.string(),
  checkedAt: z.string(),
  /** `drifted` when a file on the server differs from the deployed manifest, else `in_sync`. */
  state: z.enum(['in_sync', 'drifted']),
  /** True when a file on the server differs from the deployed manifest (the same as `state: "drifted"`). */
  drifted: z.boolean(),
  /** Files on the server against the manifest: `added` = on the server only, `removed` = missing there. */
  drift: z.array(fileDiffSchema),
  /** The manifest against what would be deployed now (the deploy preview). */
  pending: z.array(fileDiffSchema),
  /** Domains that cannot be rendered now (the pending preview leaves them out). */
  renderErrors: z.array(z.object({ fqdn: z.string(), message: z.string() })),
});

/** The server could not be reached (refused, timed out, login or host key refused): an ordinary state of a fleet. */
const driftUnreachable = z.object({
  serverId: z.string(),
  checkedAt: z.string(),
  state: z.literal('unreachable'),
  /** Plain sentence: why (no address, no secret). */
  error: z.string(),
  /** One word for scripts: `refused`, `timeout`, `unreachable`, `dns`, `auth_failed`, `host_key_mismatch`, … */
  reason: z.string(),
});

export const driftSchema = z.discriminatedUnion('state', [driftReport, driftUnreachable]);

export const previewInput = z.strictObject({
  body: multilineString({ error: 'Enter the template body.' }).max(65_536, 'Templates are at most 65536 characters.'),
  domainId: z.string({ error: 'Choose a domain.' }).min(1, 'Choose a domain.').max(64),
});

export const upstreamList = list(upstreamSchema);
export const domainList = list(domainSchema);
export const templateList = list(templateSchema);

export type UpstreamDto = z.infer<typeof upstreamSchema>;
export type DomainDto = z.infer<typeof domainSchema>;
export type TemplateDto = z.infer<typeof templateSchema>;
export type ConfigFileDto = z.infer<typeof configFileSchema>;
export type FileDiffDto = z.infer<typeof fileDiffSchema>;
export type ServerConfigDto = z.infer<typeof serverConfigSchema>;
export type DomainConfigDto = z.infer<typeof domainConfigSchema>;
export type DriftDto = z.infer<typeof driftSchema>;
