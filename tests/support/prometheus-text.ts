/**
 * A strict parser for the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), for tests that scrape
 * `GET /metrics`. No well-kept parser is installed (prom-client only writes the format), so this
 * one follows the spec and throws on anything a Prometheus server would reject or that the spec
 * forbids: malformed lines, bad names, bad escapes, a TYPE after its samples, a family split in
 * two, duplicate series, histograms whose buckets are not cumulative or lack `+Inf`.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, … for a histogram). */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

class ParseError extends Error {
  constructor(line: number, message: string) {
    super(`Prometheus text, line ${line}: ${message}`);
  }
}

function parseValue(s: string, line: number): number {
  // Go's strconv.ParseFloat, which Prometheus uses: inf/infinity/nan in any case (prom-client
  // writes `Nan`), or decimal/exponent notation (no hex, no empty, no trailing junk).
  if (/^\+?inf(inity)?$/i.test(s)) return Infinity;
  if (/^-inf(inity)?$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new ParseError(line, `bad value ${JSON.stringify(s)}`);
  return Number(s);
}

/** HELP text: only `\\` and `\n` are escapes; any other backslash sequence is an error. */
function unescapeHelp(s: string, line: number): string {
  return s.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new ParseError(line, `bad escape \\${c} in HELP`);
  });
}

/** Reads `{a="x",b="y"}` starting at `text[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, i: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  i++; // '{'
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!nameMatch) throw new ParseError(line, `bad label name at column ${i + 1}`);
    const name = nameMatch[0];
    if (name.startsWith('__')) throw new ParseError(line, `label name ${name} is reserved`);
    if (name in labels) throw new ParseError(line, `label ${name} given twice`);
    i += name.length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '=') throw new ParseError(line, `expected = after label ${name}`);
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '"') throw new ParseError(line, `expected " to open the value of label ${name}`);
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new ParseError(line, `unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new ParseError(line, `bad escape \\${e ?? ''} in label ${name}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++; // closing quote
    labels[name] = value;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new ParseError(line, `expected , or } after label ${name}`);
  }
}

/** The family a sample belongs to: `x_bucket`/`x_sum`/`x_count` of histogram `x`, `x_sum`/`x_count` of summary `x`. */
function familyOf(sampleName: string, types: Map<string, MetricType>): string {
  for (const [suffix, kinds] of [
    ['_bucket', ['histogram']],
    ['_sum', ['histogram', 'summary']],
    ['_count', ['histogram', 'summary']],
  ] as const) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      const type = types.get(base);
      if (type && (kinds as readonly string[]).includes(type)) return base;
    }
  }
  return sampleName;
}

function checkHistogram(f: MetricFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: boolean }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort(([a], [b]) => (a < b ? -1 : 1)));
  for (const s of f.samples) {
    const g = groups.get(keyOf(s.labels)) ?? { buckets: [] };
    groups.set(keyOf(s.labels), g);
    if (s.name === `${f.name}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`histogram ${f.name}: a bucket without le`);
      g.buckets.push([parseValue(s.labels.le, 0), s.value]);
    } else if (s.name === `${f.name}_count`) g.count = s.value;
    else if (s.name === `${f.name}_sum`) g.sum = true;
    else throw new Error(`histogram ${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`histogram ${f.name}${key}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]![0] === sorted[i - 1]![0]) throw new Error(`histogram ${f.name}${key}: bucket le=${sorted[i]![0]} twice`);
      if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`histogram ${f.name}${key}: buckets are not cumulative`);
    }
    if (g.count === undefined || g.sum === undefined) throw new Error(`histogram ${f.name}${key}: _count or _sum missing`);
    if (g.count !== sorted.at(-1)![1]) throw new Error(`histogram ${f.name}${key}: _count differs from the +Inf bucket`);
  }
}

/** Parses a whole exposition; the families in order of appearance, keyed by name. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new ParseError(text.split('\n').length, 'the exposition must end with a line feed');
  const families = new Map<string, MetricFamily>();
  const types = new Map<string, MetricType>();
  const helps = new Map<string, string>();
  const seen = new Set<string>();
  const closed = new Set<string>(); // families whose samples ended (another family's followed)
  let current: string | null = null;

  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: types.get(name) ?? 'untyped', help: helps.get(name), samples: [] };
      families.set(name, f);
    }
    return f;
  };

  const lines = text.split('\n');
  lines.pop(); // after the final line feed
  lines.forEach((raw, index) => {
    const n = index + 1;
    if (raw.includes('\r')) throw new ParseError(n, 'carriage return in a line');
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, keyword, name, rest = ''] = m;
      if (!METRIC_NAME.test(name!)) throw new ParseError(n, `bad metric name ${name}`);
      if (keyword === 'HELP') {
        if (helps.has(name!)) throw new ParseError(n, `second HELP for ${name}`);
        helps.set(name!, unescapeHelp(rest, n));
        if (families.has(name!)) families.get(name!)!.help = helps.get(name!);
      } else {
        const type = rest.trim() as MetricType;
        if (!TYPES.has(type)) throw new ParseError(n, `bad type ${rest} for ${name}`);
        if (types.has(name!)) throw new ParseError(n, `second TYPE for ${name}`);
        if (families.get(name!)?.samples.length) throw new ParseError(n, `TYPE for ${name} after its samples`);
        types.set(name!, type);
        family(name!).type = type;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new ParseError(n, `bad sample line ${JSON.stringify(raw)}`);
    const name = nameMatch[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i, n));
    const tail = line.slice(i);
    const m = /^[ \t]+(\S+)(?:[ \t]+(\S+))?[ \t]*$/.exec(tail);
    if (!m) throw new ParseError(n, `expected a value after ${name}`);
    const value = parseValue(m[1]!, n);
    let timestampMs: number | undefined;
    if (m[2] !== undefined) {
      if (!/^-?\d+$/.test(m[2])) throw new ParseError(n, `bad timestamp ${m[2]}`);
      timestampMs = Number(m[2]);
    }
    const base = familyOf(name, types);
    const f = family(base);
    if (f.type === 'histogram' && name === `${base}_bucket` && labels.le === undefined) throw new ParseError(n, `bucket of ${base} without le`);
    if (f.type === 'counter' && !(value >= 0) && !Number.isNaN(value)) throw new ParseError(n, `counter ${name} is negative`);
    if (current !== base) {
      if (closed.has(base)) throw new ParseError(n, `samples of ${base} are not together`);
      if (current) closed.add(current);
      current = base;
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seen.has(key)) throw new ParseError(n, `duplicate series ${name}${JSON.stringify(labels)}`);
    seen.add(key);
    f.samples.push({ name, labels, value, ...(timestampMs !== undefined && { timestampMs }) });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** The value of one series, or undefined when it is absent. `labels` must match exactly. */
export function seriesValue(families: Map<string, MetricFamily>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === sampleName && JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1))) === wanted) return s.value;
    }
  }
  return undefined;
}

/** Every sample of a name, whatever its labels. */
export function samplesOf(families: Map<string, MetricFamily>, sampleName: string): Sample[] {
  return [...families.values()].flatMap((f) => f.samples.filter((s) => s.name === sampleName));
}
