/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document: values the schema accepts
 * (as far as a JSON Schema can say; zod refinements may still refuse them), and hostile ones —
 * wrong types, missing and unknown fields, huge strings and arrays, deep nesting, control and
 * look-alike unicode.
 */
import fc from 'fast-check';

type Schema = Record<string, any>;

/** Strings that break naive code: control characters, bidi overrides, look-alikes, injections. */
export const nastyStrings = [
  '', ' ', '\u0000', 'a\u0000b', '\n', '\r\n', '\t', '\u0007', '\u001b[31mred', '\u007f', '\u0085', '\u00a0',
  '\u200b', '\u200d', '\u2028', '\u2029', '\u202e', 'abc\u202edef', '\ufeff', '\ufffd', '\ud800', '\udfff',
  'ехample.test', 'exаmple.test', 'ɡoogle.com', 'ＡＤＭＩＮ', 'ﬁle', 'İ', 'ß', 'Ǆ', '👍', '👨‍👩‍👧', 'é', 'é',
  '../../etc/passwd', '..', '.', '/', '%2e%2e%2f', '%00', "' OR 1=1 --", '"; DROP TABLE users; --', '${7*7}', '{{7*7}}',
  '<script>alert(1)</script>', 'null', 'undefined', 'true', '0', '-1', '1e309', 'NaN', '__proto__', 'constructor',
  'a;b', 'a b', 'a\nserver { }', 'include /etc/shadow;', '$(reboot)', '`id`', 'x'.repeat(101), 'x'.repeat(256),
];

/** Id-looking values for a path parameter that names nothing (or something invisible). */
export const badIds = [
  'does-not-exist', '0', '-1', '1.5', 'null', '..', '.', '%', ' ', '\u0000', '\u202e', 'ID', 'id'.repeat(60), 'x'.repeat(5000),
  "' OR '1'='1", '../users', '\ud800', '👍', 'ехample', '00000000-0000-0000-0000-000000000000', 'builtin-http', 'builtin-nonexistent',
];

/** Strings that often satisfy a pattern: tried in order before falling back to random text. */
const patternCandidates = [
  'web-1', 'a', 'example.test', 'www.example.test', 'fuzz.example.test', '127.0.0.1', '10.0.0.5', '::1', '1m', '10k', '/', '/api',
  'root', 'deploy', 'admin', 'http', 'https://example.test', 'SHA256:' + 'A'.repeat(43), 'tag-1', 'ns1.example.test', '80', 'x',
];

const huge = (n: number) => fc.constant('x'.repeat(n));

export interface ArbitraryOptions {
  /** Values for properties whose name ends in `Id` (or `sharedWith` entries): real ids in the world. */
  ids: string[];
}

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, 40);
  if (s.format === 'email') return fc.constantFrom('fuzz@example.test', 'a.b@example.test', 'x@y.test');
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'uri') return fc.constantFrom('http://127.0.0.1:9/', 'https://example.test/dir', 'http://10.0.0.5:61208');
  if (s.pattern) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = null;
    }
    const ok = re ? patternCandidates.filter((c) => re!.test(c) && c.length >= min && c.length <= (s.maxLength ?? Infinity)) : [];
    if (ok.length) return fc.constantFrom(...ok);
  }
  const fits = nastyStrings.filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity));
  const plain = fc.string({ minLength: min, maxLength: Math.max(min, max) });
  return fits.length ? fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: fc.constantFrom(...fits) }) : plain;
}

/** A value the schema (probably) accepts. */
export function validArb(s: Schema | undefined, o: ArbitraryOptions, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf).map((x: Schema) => validArb(x, o, name, depth + 1)));
  if (/Id$/.test(name) && o.ids.length && (s.type === 'string' || Array.isArray(s.type))) {
    return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...o.ids) }, { weight: 1, arbitrary: validArb({ ...s, type: 'string' }, { ids: [] }, '', depth + 1) });
  }
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t: string) => validArb({ ...s, type: t }, o, name, depth + 1)));
  switch (s.type) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return fc.integer({ min: Math.ceil(s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000)), max: Math.floor(s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 100000)) });
    case 'number':
      return fc.double({ min: s.minimum ?? s.exclusiveMinimum ?? -1000, max: s.maximum ?? s.exclusiveMaximum ?? 100000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const itemName = name === 'sharedWith' ? 'userId' : name;
      return fc.array(validArb(s.items, o, itemName, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    }
    case 'object': {
      const props: Record<string, Schema> = s.properties ?? {};
      const required = new Set<string>(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = validArb(v, o, k, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value of the wrong type for the schema. */
export const wrongTypeArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.constant(1e308), fc.constant(-0), fc.string({ maxLength: 8 }),
  fc.constant([]), fc.constant({}), fc.constant([null]), fc.constant({ a: 1 }), fc.constantFrom(...nastyStrings),
);

/** A hostile value: huge, nested, nasty unicode, or a wrong type. */
export const hostileValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: wrongTypeArb },
  { weight: 3, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 1, arbitrary: fc.oneof(huge(10_000), huge(100_000), huge(600_000)) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 30_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((n) => Array.from({ length: n }, () => 'x'.repeat(50))) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((n) => nest(n)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Paths to every value inside a JSON value (objects and arrays), root excluded. */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (Array.isArray(v)) v.slice(0, 5).forEach((x, i) => (out.push([...prefix, i]), paths(x, [...prefix, i], out)));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push([...prefix, k]), paths(x, [...prefix, k], out);
  return out;
}

export type Mutation = 'drop' | 'wrong' | 'hostile' | 'unknown';

/** One change to a valid value: drop a field, give one a wrong or hostile value, or add an unknown one. */
export function mutate(value: unknown, kind: Mutation, pick: number, replacement: unknown): unknown {
  const copy = structuredClone(value) as any;
  const all = paths(copy);
  if (kind === 'unknown' || !all.length || copy === null || typeof copy !== 'object') {
    if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
      const targets = [[], ...all.filter((p) => { const x = get(copy, p); return x && typeof x === 'object' && !Array.isArray(x); })];
      const at = targets[pick % targets.length]!;
      const obj = at.length ? get(copy, at) : copy;
      obj[['isAdmin', 'role', '__proto__x', 'extra', 'id', 'createdAt', 'password2', 'x'][pick % 8]!] = replacement;
      return copy;
    }
    return replacement;
  }
  const at = all[pick % all.length]!;
  const parent = at.length > 1 ? get(copy, at.slice(0, -1)) : copy;
  const key = at[at.length - 1]!;
  if (kind === 'drop') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = replacement;
  return copy;
}

function get(v: any, p: Array<string | number>) {
  return p.reduce((x, k) => x?.[k], v);
}
