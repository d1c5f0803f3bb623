/**
 * The console's forms are flat (a field per input, nested API fields named by their path, e.g.
 * "ssl.mode", "targets.0.host"), so lib errors for those paths land beside the right input.
 * These build the nested input the services parse; all validation stays in the services.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';

export const MAX_TARGET_ROWS = 64;
const text = z.string().optional();
const flag = z.boolean().optional();
// Numbers arrive as text and are converted here, so a typo gets the service's own message
// ("Port must be a whole number from 1 to 65535.") rather than a generic one.
const num = text;
const toNumber = (v: unknown) => (typeof v === 'string' && /^-?\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : v === '' ? undefined : v);

export const MAX_LOCATION_ROWS = 32;
const locationKeys = ['path', 'upstreamId', 'redirect.url', 'redirect.code', 'redirect.preservePath', 'websocket', 'clientMaxBodySize', 'accessListId'] as const;
const locationFields = Object.fromEntries(
  Array.from({ length: MAX_LOCATION_ROWS }, (_, i) =>
    locationKeys.map((k) => [`locations.${i}.${k}`, k === 'websocket' || k === 'redirect.preservePath' ? flag : text] as const),
  ).flat(),
) as Record<string, z.ZodType>;

export const domainForm = z.object({
  id: text,
  fqdn: text,
  aliases: text,
  serverId: text,
  upstreamId: text,
  'redirect.url': text,
  'redirect.code': num,
  'redirect.preservePath': flag,
  accessListId: text,
  ...locationFields,
  templateId: text,
  'ssl.mode': text,
  'ssl.certificateId': text,
  'ssl.forceHttps': flag,
  'ssl.hsts': flag,
  'ssl.http2': flag,
  websocket: flag,
  clientMaxBodySize: text,
  customDirectives: text,
  'nameservers.expected': text,
  'nameservers.pattern': text,
  tags: z.array(z.string()).optional(),
  'logs.access': flag,
  'logs.error': flag,
});
export type DomainForm = z.input<typeof domainForm>;

/** A redirect from the form's fields: none when the URL is left empty. */
function redirectFromForm(f: Record<string, unknown>, prefix: string): Record<string, unknown> | null {
  const url = f[`${prefix}redirect.url`];
  if (typeof url !== 'string' || url.trim() === '') return null;
  return { url: url.trim(), code: toNumber(f[`${prefix}redirect.code`]) ?? 301, preservePath: f[`${prefix}redirect.preservePath`] ?? false };
}

/** Location rows present in the form (a row is present when its path input is). */
function locationsFromForm(f: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < MAX_LOCATION_ROWS; i++) {
    const path = f[`locations.${i}.path`];
    if (path === undefined) continue;
    const p = `locations.${i}.`;
    const upstreamId = (f[`${p}upstreamId`] as string | undefined) || null;
    out.push({
      path,
      upstreamId,
      // A pool chosen wins; the redirect fields count only when "Redirect" is chosen.
      redirect: upstreamId ? null : redirectFromForm(f, p),
      websocket: f[`${p}websocket`] ?? false,
      clientMaxBodySize: (f[`${p}clientMaxBodySize`] as string | undefined) || '1m',
      accessListId: (f[`${p}accessListId`] as string | undefined) || null,
    });
  }
  return out;
}

/** A list typed one per line or separated by commas or spaces. */
const list = (v: string | undefined) => (v ?? '').split(/[\s,]+/).filter(Boolean);

export function domainInputFromForm(f: DomainForm): Record<string, unknown> {
  return {
    fqdn: f.fqdn ?? '',
    aliases: list(f.aliases),
    serverId: f.serverId ?? '',
    upstreamId: f.upstreamId || null,
    redirect: redirectFromForm(f as Record<string, unknown>, ''),
    accessListId: f.accessListId || null,
    locations: locationsFromForm(f as Record<string, unknown>),
    templateId: f.templateId || null,
    ssl: {
      mode: f['ssl.mode'] || 'none',
      certificateId: f['ssl.certificateId'] || null,
      forceHttps: f['ssl.forceHttps'] ?? false,
      hsts: f['ssl.hsts'] ?? false,
      http2: f['ssl.http2'] ?? true,
    },
    websocket: f.websocket ?? false,
    clientMaxBodySize: f.clientMaxBodySize || '1m',
    customDirectives: f.customDirectives ?? '',
    nameservers: { expected: list(f['nameservers.expected']), pattern: f['nameservers.pattern'] || null },
    ...(f.tags !== undefined && { tags: f.tags }),
    logs: { access: f['logs.access'] ?? true, error: f['logs.error'] ?? true },
  };
}

const targetKeys = ['host', 'port', 'weight', 'backup', 'maxFails', 'failTimeoutSeconds'] as const;
const targetFields = Object.fromEntries(
  Array.from({ length: MAX_TARGET_ROWS }, (_, i) =>
    targetKeys.map((k) => [`targets.${i}.${k}`, k === 'host' ? text : k === 'backup' ? flag : num] as const),
  ).flat(),
) as Record<string, z.ZodType>;

export const upstreamForm = z.object({
  id: text,
  name: text,
  method: text,
  keepalive: num,
  'healthCheck.type': text,
  'healthCheck.path': text,
  'healthCheck.intervalSeconds': num,
  ...targetFields,
});

export function upstreamInputFromForm(f: Record<string, unknown>): Record<string, unknown> {
  const targets: Record<string, unknown>[] = [];
  for (let i = 0; i < MAX_TARGET_ROWS; i++) {
    const host = f[`targets.${i}.host`];
    if (host === undefined) continue;
    const t: Record<string, unknown> = { host, backup: f[`targets.${i}.backup`] ?? false };
    for (const k of ['port', 'weight', 'maxFails', 'failTimeoutSeconds']) {
      const v = toNumber(f[`targets.${i}.${k}`]);
      if (v !== undefined) t[k] = v;
    }
    targets.push(t);
  }
  const hcType = (f['healthCheck.type'] as string | undefined) || 'none';
  return {
    name: f.name ?? '',
    method: f.method || 'round_robin',
    keepalive: toNumber(f.keepalive) ?? null,
    healthCheck:
      hcType === 'none'
        ? null
        : {
            type: hcType,
            ...(hcType === 'http' && { path: (f['healthCheck.path'] as string | undefined) || '/' }),
            ...(toNumber(f['healthCheck.intervalSeconds']) !== undefined && { intervalSeconds: toNumber(f['healthCheck.intervalSeconds']) }),
          },
    targets,
  };
}

export const MAX_ACCESS_ROWS = 100;
const accessRowFields = Object.fromEntries(
  Array.from({ length: MAX_ACCESS_ROWS }, (_, i) => [
    [`users.${i}.username`, text],
    [`users.${i}.password`, text],
    [`rules.${i}.action`, text],
    [`rules.${i}.source`, text],
  ]).flat(),
) as Record<string, z.ZodType>;

export const accessListForm = z.object({ id: text, name: text, satisfy: text, ...accessRowFields });

/**
 * An access list from its form: a user row with an empty password keeps the one it has (on
 * edit); rows are present when their name or source input is.
 */
export function accessListInputFromForm(f: Record<string, unknown>): Record<string, unknown> {
  const users: Record<string, unknown>[] = [];
  const rules: Record<string, unknown>[] = [];
  for (let i = 0; i < MAX_ACCESS_ROWS; i++) {
    const username = f[`users.${i}.username`];
    if (username !== undefined) {
      const password = f[`users.${i}.password`];
      users.push({ username, ...(typeof password === 'string' && password !== '' ? { password } : {}) });
    }
    const source = f[`rules.${i}.source`];
    if (source !== undefined) rules.push({ action: f[`rules.${i}.action`] || 'allow', source });
  }
  return { name: f.name ?? '', satisfy: f.satisfy || 'all', users, rules };
}

/**
 * Field errors of list items ("aliases.2") shown on the list's input ("aliases"), with the
 * item named, since the form has one input for the whole list.
 */
export function foldListErrors(err: unknown, lists: string[], values: Record<string, string[]>): unknown {
  if (!(err instanceof ValidationError) || !err.fields) return err;
  const fields: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(err.fields)) {
    const list = lists.find((l) => key.startsWith(`${l}.`));
    if (!list) {
      (fields[key] ??= []).push(...messages);
      continue;
    }
    const item = values[list]?.[Number(key.slice(list.length + 1).split('.')[0])];
    (fields[list] ??= []).push(...messages.map((m) => (item ? `${item}: ${m}` : m)));
  }
  return new ValidationError(fields, err.message);
}

export { list as splitList };
