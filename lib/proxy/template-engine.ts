/**
 * The sandbox for admin-written templates (liquidjs 10). Templates see only the validated context
 * the renderer builds; they cannot read files, run for long, allocate without bound or depend on
 * the clock, so rendering stays a pure function of the database.
 */
import { Liquid, type FS } from 'liquidjs';
import { checkRenderedConfig } from '../nginx/syntax';

export const TEMPLATE_MAX_LENGTH = 65_536;
export const TEMPLATE_OUTPUT_MAX_LENGTH = 262_144;
const RENDER_TIME_LIMIT_MS = 250;

/** A file system with no files: any lookup that slips past the removed tags still finds nothing. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

function createSandbox(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    dynamicPartials: false,
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    cache: false,
    parseLimit: TEMPLATE_MAX_LENGTH,
    renderLimit: RENDER_TIME_LIMIT_MS,
    memoryLimit: 4_000_000,
  });
  // include/render/layout read other templates from `fs`; removing the tags makes their use a
  // parse error with a line number instead of a runtime lookup.
  for (const tag of ['include', 'render', 'layout']) delete liquid.tags[tag];
  // Filters that read the clock or a random source would make two renders of one database differ.
  for (const name of Object.keys(liquid.filters)) {
    if (name.startsWith('date') || name === 'sample') delete liquid.filters[name];
  }
  return liquid;
}

const sandbox = createSandbox();

export class TemplateError extends Error {
  constructor(
    message: string,
    /** 1-based line in the template body, or null when the problem is in the rendered output. */
    readonly line: number | null,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

interface LiquidLikeError {
  message: string;
  token?: { getPosition?: () => [number, number] };
  originalError?: { message?: string };
}

/** Turns a liquidjs error into a message without its ", line:3, col:5" tail, plus the line. */
function toTemplateError(err: unknown): TemplateError {
  const e = err as LiquidLikeError;
  const pos = typeof e?.token?.getPosition === 'function' ? e.token.getPosition() : null;
  const raw = String(e?.message ?? err).replace(/, line:\d+, col:\d+$/, '');
  const line = pos ? pos[0] : null;
  return new TemplateError(line ? `Line ${line}: ${raw}` : raw, line);
}

// Parsed templates by body. A server renders every domain with one of a handful of bodies, and
// parsing costs more than rendering; parsed templates are immutable, so reuse is safe.
const PARSED_CACHE_SIZE = 64;
const parsed = new Map<string, ReturnType<Liquid['parse']>>();

function parse(body: string) {
  if (body.length > TEMPLATE_MAX_LENGTH) throw new TemplateError(`Templates are at most ${TEMPLATE_MAX_LENGTH} characters.`, null);
  const hit = parsed.get(body);
  if (hit) return hit;
  let tpl;
  try {
    tpl = sandbox.parse(body);
  } catch (err) {
    throw toTemplateError(err);
  }
  if (parsed.size >= PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
  parsed.set(body, tpl);
  return tpl;
}

/** Checks template syntax only (unknown tags and filters included); throws TemplateError. */
export function checkTemplateSyntax(body: string): void {
  parse(body);
}

/**
 * Renders a template with a context, synchronously, inside the sandbox, and checks the output
 * parses as Nginx configuration without `include`, `load_module` or embedded code.
 */
export function renderTemplate(body: string, context: object): string {
  const tpl = parse(body);
  let text: string;
  try {
    text = sandbox.renderSync(tpl, context, { renderLimit: RENDER_TIME_LIMIT_MS, templateLimit: 100_000 });
  } catch (err) {
    throw toTemplateError(err);
  }
  if (text.length > TEMPLATE_OUTPUT_MAX_LENGTH) throw new TemplateError(`The rendered output is larger than ${TEMPLATE_OUTPUT_MAX_LENGTH} characters.`, null);
  const scan = checkRenderedConfig(text);
  if (!scan.ok) throw new TemplateError(`In the rendered output: ${scan.message}`, null);
  return text;
}

export type PreviewResult = { ok: true; text: string } | { ok: false; message: string; line: number | null };

/** Renders a template for the editor's preview: the text, or the error and its template line. */
export function previewTemplate(body: string, context: object): PreviewResult {
  try {
    return { ok: true, text: renderTemplate(body, context) };
  } catch (err) {
    if (err instanceof TemplateError) return { ok: false, message: err.message, line: err.line };
    return { ok: false, message: 'The template could not be rendered.', line: null };
  }
}
