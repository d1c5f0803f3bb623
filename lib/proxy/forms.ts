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

export const domainForm = z.object({
  id: text,
  fqdn: text,
  aliases: text,
  serverId: text,
  upstreamId: text,
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
  'logs.access': flag,
  'logs.error': flag,
});
export type DomainForm = z.input<typeof domainForm>;

/** A list typed one per line or separated by commas or spaces. */
const list = (v: string | undefined) => (v ?? '').split(/[\s,]+/).filter(Boolean);

export function domainInputFromForm(f: DomainForm): Record<string, unknown> {
  return {
    fqdn: f.fqdn ?? '',
    aliases: list(f.aliases),
    serverId: f.serverId ?? '',
    upstreamId: f.upstreamId ?? '',
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
