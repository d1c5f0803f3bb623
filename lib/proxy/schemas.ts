/**
 * Input schemas for upstreams, domains and templates, shared by the API, server actions and the
 * CLI. Objects are strict (unknown keys are errors) and every string that can reach an Nginx
 * file goes through the grammar, so the parsed output is already normalised (punycode, lowercase).
 * Patch schemas carry no defaults: a PATCH changes only what it names. The service must re-check
 * the merged record with the full schema (e.g. ip_hash with a stored backup target).
 */
import { z } from 'zod';
import { PLAIN_LINE } from '../text';
import { tagsInput } from '../servers/tags';
import { customDirectivesSchema } from './directives';
import {
  fqdnSchema,
  hostnameSchema,
  idSchema,
  intSchema,
  multilineString,
  nameserverPatternSchema,
  accessSourceSchema,
  htpasswdUserSchema,
  locationPathSchema,
  portSchema,
  REDIRECT_CODES,
  redirectUrlSchema,
  secondsSchema,
  serverNameSchema,
  sizeSchema,
  slugSchema,
  targetHostSchema,
  uriPathSchema,
} from '../nginx/grammar';
import { checkTemplateSyntax, TEMPLATE_MAX_LENGTH, TemplateError } from './template-engine';

const bool = (what: string) => z.boolean({ error: `${what} must be true or false.` });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: `${what} must be one of: ${values.join(', ')}.` });

export const balanceMethods = ['round_robin', 'least_conn', 'ip_hash'] as const;
export const sslModes = ['none', 'custom', 'acme'] as const;

export const healthCheckInput = z
  .strictObject({
    type: oneOf(['none', 'http', 'tcp'], 'Health check type'),
    path: uriPathSchema.optional(),
    intervalSeconds: secondsSchema(5, 3600).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type !== 'http' && v.path !== undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'Only HTTP health checks have a path.' });
  });

export const targetInput = z.strictObject({
  host: targetHostSchema,
  port: portSchema,
  weight: intSchema(1, 1000, 'Weight').default(1),
  backup: bool('Backup').default(false),
  maxFails: intSchema(0, 100, 'Max fails').default(1),
  failTimeoutSeconds: secondsSchema(1, 3600).default(10),
});

const upstreamFields = {
  name: slugSchema,
  method: oneOf(balanceMethods, 'Method'),
  keepalive: intSchema(1, 1024, 'Keepalive').nullable().optional(),
  healthCheck: healthCheckInput.nullable().optional(),
  targets: z.array(targetInput, { error: 'Targets must be a list.' }).min(1, 'Add at least one target.').max(64, 'At most 64 targets.'),
};

type TargetOut = z.output<typeof targetInput>;

function upstreamRules(v: { method?: string; targets?: TargetOut[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  v.targets?.forEach((t, i) => {
    if (v.method === 'ip_hash' && t.backup) {
      ctx.addIssue({ code: 'custom', path: ['targets', i, 'backup'], message: 'Nginx does not allow backup targets with ip_hash; use round_robin or least_conn.' });
    }
    const key = `${t.host}:${t.port}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'host'], message: `${key} is listed twice.` });
    seen.add(key);
  });
  if (v.targets?.length && v.targets.every((t) => t.backup)) {
    ctx.addIssue({ code: 'custom', path: ['targets'], message: 'At least one target must not be a backup.' });
  }
}

export const upstreamInput = z.strictObject({ ...upstreamFields, method: upstreamFields.method.default('round_robin') }).superRefine(upstreamRules);
export const upstreamPatch = z.strictObject(upstreamFields).partial().superRefine(upstreamRules);

const sslFields = {
  mode: oneOf(sslModes, 'SSL mode'),
  certificateId: idSchema.nullable(),
  forceHttps: bool('Force HTTPS'),
  hsts: bool('HSTS'),
  http2: bool('HTTP/2'),
};

function sslRules(v: { mode?: string; certificateId?: string | null; forceHttps?: boolean; hsts?: boolean }, ctx: z.RefinementCtx): void {
  if (v.mode === 'none' && v.forceHttps) ctx.addIssue({ code: 'custom', path: ['forceHttps'], message: 'Forcing HTTPS needs an SSL mode (custom or acme).' });
  if (v.mode === 'none' && v.hsts) ctx.addIssue({ code: 'custom', path: ['hsts'], message: 'HSTS needs an SSL mode (custom or acme).' });
  if (v.mode === 'custom' && v.certificateId === null) ctx.addIssue({ code: 'custom', path: ['certificateId'], message: 'Choose the certificate to serve.' });
}

export const sslInput = z
  .strictObject({
    mode: sslFields.mode.default('none'),
    certificateId: sslFields.certificateId.default(null),
    forceHttps: sslFields.forceHttps.default(false),
    hsts: sslFields.hsts.default(false),
    http2: sslFields.http2.default(true),
  })
  .superRefine(sslRules);
export const sslPatch = z.strictObject(sslFields).partial().superRefine(sslRules);

const nameserverFields = {
  expected: z.array(hostnameSchema, { error: 'Expected name servers must be a list.' }).max(20, 'At most 20 name servers.'),
  pattern: nameserverPatternSchema.nullable(),
};
export const nameserversInput = z.strictObject({
  expected: nameserverFields.expected.default([]),
  pattern: nameserverFields.pattern.default(null),
});

export const redirectInput = z
  .strictObject({
    url: redirectUrlSchema,
    code: z
      .number({ error: 'Redirect code must be 301, 302, 307 or 308.' })
      .refine((n) => (REDIRECT_CODES as readonly number[]).includes(n), 'Redirect code must be 301, 302, 307 or 308.')
      .transform((n) => n as (typeof REDIRECT_CODES)[number])
      .default(301),
    preservePath: bool('Keep path and query').default(true),
  })
  .superRefine((v, ctx) => {
    if (v.preservePath && v.url.includes('?')) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'With "keep path and query" on, the URL may not have a query of its own.' });
    }
  });

export const locationInput = z
  .strictObject({
    path: locationPathSchema,
    upstreamId: idSchema.nullable().default(null),
    redirect: redirectInput.nullable().default(null),
    websocket: bool('WebSocket').default(false),
    clientMaxBodySize: sizeSchema.default('1m'),
    accessListId: idSchema.nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (!v.upstreamId && !v.redirect) ctx.addIssue({ code: 'custom', path: ['upstreamId'], message: 'Choose an upstream or a redirect for this location.' });
    if (v.upstreamId && v.redirect) ctx.addIssue({ code: 'custom', path: ['redirect'], message: 'A location has an upstream or a redirect, not both.' });
  });

const domainFields = {
  fqdn: fqdnSchema,
  aliases: z.array(serverNameSchema, { error: 'Aliases must be a list.' }).max(100, 'At most 100 aliases.'),
  serverId: idSchema,
  upstreamId: idSchema.nullable(),
  redirect: redirectInput.nullable(),
  accessListId: idSchema.nullable(),
  locations: z.array(locationInput, { error: 'Locations must be a list.' }).max(32, 'At most 32 locations.'),
  templateId: idSchema.nullable(),
  websocket: bool('WebSocket'),
  clientMaxBodySize: sizeSchema,
  customDirectives: customDirectivesSchema,
  /** Lower-case labels; never part of a config file. */
  tags: tagsInput,
  logs: z.strictObject({ access: bool('Access log'), error: bool('Error log') }).partial(),
};

function domainRules(v: { fqdn?: string; aliases?: string[]; locations?: { path: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set(v.fqdn ? [v.fqdn] : []);
  v.aliases?.forEach((a, i) => {
    if (seen.has(a)) ctx.addIssue({ code: 'custom', path: ['aliases', i], message: `${a} is already one of this domain's names.` });
    seen.add(a);
  });
  const paths = new Set<string>();
  v.locations?.forEach((l, i) => {
    if (paths.has(l.path)) ctx.addIssue({ code: 'custom', path: ['locations', i, 'path'], message: `${l.path} is listed twice.` });
    paths.add(l.path);
  });
}

/** The full record: `/` goes to the upstream unless the domain redirects. */
function domainTarget(v: { upstreamId?: string | null; redirect?: unknown }, ctx: z.RefinementCtx): void {
  if (!v.upstreamId && !v.redirect) ctx.addIssue({ code: 'custom', path: ['upstreamId'], message: 'Choose an upstream, or set a redirect.' });
}

export const domainInput = z
  .strictObject({
    ...domainFields,
    aliases: domainFields.aliases.default([]),
    upstreamId: domainFields.upstreamId.default(null),
    redirect: domainFields.redirect.default(null),
    accessListId: domainFields.accessListId.default(null),
    locations: domainFields.locations.default([]),
    templateId: domainFields.templateId.default(null),
    ssl: sslInput.prefault({}),
    websocket: domainFields.websocket.default(false),
    clientMaxBodySize: domainFields.clientMaxBodySize.default('1m'),
    customDirectives: domainFields.customDirectives.default(''),
    logs: z.strictObject({ access: bool('Access log').default(true), error: bool('Error log').default(true) }).prefault({}),
    nameservers: nameserversInput.prefault({}),
    tags: domainFields.tags.default([]),
  })
  .superRefine(domainRules)
  .superRefine(domainTarget);

export const domainPatch = z
  .strictObject({ ...domainFields, ssl: sslPatch, nameservers: z.strictObject(nameserverFields).partial() })
  .partial()
  .superRefine(domainRules);

const templateFields = {
  name: z
    .string({ error: 'Enter a name.' })
    .trim()
    .min(1, 'Enter a name.')
    .max(100, 'At most 100 characters.')
    .regex(PLAIN_LINE, 'Names may not contain control or invisible characters.'),
  kind: oneOf(['http', 'ssl'], 'Kind'),
  body: multilineString({ error: 'Enter the template body.' })
    .min(1, 'Enter the template body.')
    .max(TEMPLATE_MAX_LENGTH, `Templates are at most ${TEMPLATE_MAX_LENGTH} characters.`)
    .superRefine((body, ctx) => {
      try {
        checkTemplateSyntax(body);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message, input: body, params: { line: err.line } });
      }
    }),
};

export const templateInput = z.strictObject(templateFields);
export const templatePatch = z.strictObject(templateFields).partial();

export const accessListUserInput = z.strictObject({
  username: htpasswdUserSchema,
  /** Write-only. Omitted on PATCH: the user keeps the password it has. */
  password: z.string({ error: 'Enter a password.' }).min(1, 'Enter a password.').max(256, 'At most 256 characters.').optional(),
});

export const accessRuleInput = z.strictObject({
  action: oneOf(['allow', 'deny'], 'Action'),
  source: accessSourceSchema,
});

const accessListFields = {
  name: z
    .string({ error: 'Enter a name.' })
    .trim()
    .min(1, 'Enter a name.')
    .max(100, 'At most 100 characters.')
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'Names may not contain control or invisible characters.'),
  satisfy: oneOf(['all', 'any'], 'Satisfy'),
  users: z.array(accessListUserInput, { error: 'Users must be a list.' }).max(100, 'At most 100 users.'),
  rules: z.array(accessRuleInput, { error: 'Rules must be a list.' }).max(100, 'At most 100 rules.'),
};

function accessListRules(v: { users?: { username: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  v.users?.forEach((u, i) => {
    if (seen.has(u.username)) ctx.addIssue({ code: 'custom', path: ['users', i, 'username'], message: `${u.username} is listed twice.` });
    seen.add(u.username);
  });
}

export const accessListInput = z
  .strictObject({
    ...accessListFields,
    satisfy: accessListFields.satisfy.default('all'),
    users: accessListFields.users.default([]),
    rules: accessListFields.rules.default([]),
  })
  .superRefine(accessListRules);
export const accessListPatch = z.strictObject(accessListFields).partial().superRefine(accessListRules);

export type AccessListInput = z.output<typeof accessListInput>;
export type AccessListPatch = z.output<typeof accessListPatch>;
export type RedirectInput = z.output<typeof redirectInput>;
export type LocationInput = z.output<typeof locationInput>;
export type UpstreamInput = z.output<typeof upstreamInput>;
export type UpstreamPatch = z.output<typeof upstreamPatch>;
export type DomainInput = z.output<typeof domainInput>;
export type DomainPatch = z.output<typeof domainPatch>;
export type TemplateInput = z.output<typeof templateInput>;
export type TemplatePatch = z.output<typeof templatePatch>;
