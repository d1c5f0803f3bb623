import { z } from 'zod';

/**
 * Form field name → the input path (or paths) it stands for, for forms whose fields are not
 * named like the input: `{ email: 'acme.email' }`, `{ target: ['serverId', 'domainId'] }`.
 * A field not in the map is named by its path ("glances.url").
 */
export type FieldMap = Readonly<Record<string, string | readonly string[]>>;

type Kind = 'boolean' | 'number' | 'array' | 'other';
type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { def: Def }).def;

/** Looks through optional/default/nullable/pipe wrappers to the schema underneath. */
function* unwrapped(schema: z.ZodType): Generator<z.ZodType> {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 10; i++) {
    yield s;
    const def = defOf(s);
    s = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  }
}

function kindOf(schema: z.ZodType): Kind {
  for (const s of unwrapped(schema)) {
    const { type } = defOf(s);
    if (type === 'boolean') return 'boolean';
    if (type === 'number' || type === 'int') return 'number';
    if (type === 'array') return 'array';
    // A union of a number and a string (a form that lets lib judge a port): numeric input is a number.
    if (type === 'union' && (s as unknown as { def: { options: z.ZodType[] } }).def.options.some((o) => kindOf(o) === 'number')) return 'number';
  }
  return 'other';
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | null {
  for (const s of unwrapped(schema)) if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
  return null;
}

const pathsOf = (v: string | readonly string[]) => (typeof v === 'string' ? [v] : v);

/** The form field that fills `path`: the one the map gives it, else the path itself. */
function formFieldOf(path: string, fields?: FieldMap): string {
  for (const [name, paths] of Object.entries(fields ?? {})) if (pathsOf(paths).includes(path)) return name;
  return path;
}

/** One field's posted values → its input value (`undefined`: leave the key out). */
function readField(field: z.ZodType | undefined, all: string[]): unknown {
  if (all.length === 0) return undefined;
  const kind = field ? kindOf(field) : 'other';
  if (kind === 'array') return all.filter((v) => v !== '');
  if (kind === 'boolean') return all.some((v) => v === 'on' || v === 'true');
  if (all.length > 1) return all;
  const value = all[0];
  if (value === '') return field && field.safeParse(undefined).success && !field.safeParse('').success ? undefined : value;
  return kind === 'number' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}

function readShape(shape: Record<string, z.ZodType>, prefix: string, formData: FormData, fields?: FieldMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const path = prefix + key;
    const nested = shapeOf(field);
    if (nested) {
      const inner = readShape(nested, `${path}.`, formData, fields);
      // An optional nested object nobody filled in stays out, as an unposted field does.
      if (Object.keys(inner).length > 0 || !field.safeParse(undefined).success) out[key] = inner;
      continue;
    }
    const all = formData.getAll(formFieldOf(path, fields)).filter((v): v is string => typeof v === 'string');
    const value = readField(field, all);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * FormData → the plain object the lib function parses, guided by the schema's shape: only the
 * schema's keys are read (so React's own `$ACTION_*` fields never reach a strict schema), each
 * from the form field the map names for its path (a nested object's keys by their dotted path);
 * booleans: a checkbox's "on" or "true" → true, anything else (e.g. the hidden "false" our
 * Checkbox sends when unchecked) → false, absent → omitted; numbers: numeric strings → numbers;
 * arrays: every value, empty strings dropped; an empty string of an optional field that does not
 * accept "" → omitted (so "new password" left blank means "unchanged"). Validation stays in lib.
 */
export function formDataToInput(schema: z.ZodType, formData: FormData, fields?: FieldMap): Record<string, unknown> {
  if (schema instanceof z.ZodObject) return readShape(schema.shape as Record<string, z.ZodType>, '', formData, fields);
  const out: Record<string, unknown> = {};
  for (const key of new Set(formData.keys())) {
    if (key.startsWith('$ACTION')) continue;
    const value = readField(undefined, formData.getAll(key).filter((v): v is string => typeof v === 'string'));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Field errors keyed by input path → keyed by the form field standing for that path or for a
 * path above it (`dns.servers.2` → `servers` for `{ servers: 'dns.servers' }`). Messages of
 * paths that share a form field are joined; unmapped keys stay as they are.
 */
export function toFormFields(errors: Record<string, string[]>, fields?: FieldMap): Record<string, string[]> {
  if (!fields) return errors;
  const out: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors)) {
    let best: { name: string; length: number } | undefined;
    for (const [name, paths] of Object.entries(fields)) {
      for (const p of pathsOf(paths)) {
        if ((key === p || key.startsWith(`${p}.`)) && p.length > (best?.length ?? -1)) best = { name, length: p.length };
      }
    }
    (out[best?.name ?? key] ??= []).push(...messages);
  }
  return out;
}
