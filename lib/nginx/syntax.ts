/**
 * A small reader for Nginx configuration text, following ngx_conf_read_token: words separated by
 * blanks, `;` ends a statement, `{ }` delimit blocks, `#` starts a comment only at the start of a
 * word, quotes are special only at the start of a word and `${name}` keeps its braces inside the
 * word. Used to check custom directives, to scan user-template output, and by tests to prove that
 * rendered files have the structure we meant.
 */

export interface NginxStatement {
  name: string;
  args: string[];
  /** Whether each argument (not the name) was written in quotes. */
  quoted: boolean[];
  line: number;
  block?: NginxStatement[];
}

export type NginxParse = { ok: true; statements: NginxStatement[] } | { ok: false; message: string; line: number };

interface Word {
  t: 'word';
  v: string;
  quoted: boolean;
  line: number;
}
type Token = Word | { t: ';' | '{' | '}'; line: number };

export interface ReadOptions {
  /** Refuses what a custom directive never needs: comments, backslashes, line breaks inside quotes. */
  strict?: boolean;
}

const BLANK = new Set([' ', '\t', '\r', '\n']);
type Fail = { ok: false; message: string; line: number };
type TokenResult = { ok: true; tokens: Token[] } | Fail;

function tokenize(src: string, opts: ReadOptions): TokenResult {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const err = (message: string): Fail => ({ ok: false, message: `Line ${line}: ${message}`, line });
  while (i < src.length) {
    const ch = src[i];
    if (BLANK.has(ch)) {
      if (ch === '\n') line++;
      i++;
    } else if (ch === '#') {
      // Custom directives are re-written statement by statement, so a comment would silently vanish.
      if (opts.strict) return err('comments (#) are not allowed here; they would not be kept.');
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === ';' || ch === '{' || ch === '}') {
      tokens.push({ t: ch, line });
      i++;
    } else if (ch === '"' || ch === "'") {
      const start = line;
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) return err(`a quoted string is not closed (it starts on line ${start}).`);
        const c = src[i];
        if (c === ch) break;
        if (c === '\\') {
          if (opts.strict) return err('backslashes are not allowed.');
          v += src[i + 1] ?? '';
          i += 2;
          continue;
        }
        if (c === '\n') {
          if (opts.strict) return err('a quoted string may not span lines.');
          line++;
        }
        v += c;
        i++;
      }
      i++;
      const next = src[i];
      if (next !== undefined && !BLANK.has(next) && next !== ';' && next !== '{' && next !== '}') {
        return err(`unexpected ${JSON.stringify(next)} right after a quoted string.`);
      }
      tokens.push({ t: 'word', v, quoted: true, line: start });
    } else {
      let v = '';
      let inVar = false;
      while (i < src.length) {
        const c = src[i];
        if (BLANK.has(c) || c === ';' || (c === '{' && !v.endsWith('$')) || (c === '}' && !inVar)) break;
        if (c === '{') inVar = true;
        if (c === '}') inVar = false;
        if (opts.strict && (c === '\\' || c === '"' || c === "'")) return err(`${JSON.stringify(c)} is only allowed as a whole quoted argument.`);
        v += c;
        i++;
      }
      tokens.push({ t: 'word', v, quoted: false, line });
    }
  }
  return { ok: true, tokens };
}

/** Parses configuration text into statements and blocks, or reports the first error with its line. */
export function parseNginx(src: string, opts: ReadOptions = {}): NginxParse {
  const tok = tokenize(src, opts);
  if (!tok.ok) return tok;
  const root: NginxStatement[] = [];
  const stack: NginxStatement[][] = [root];
  let words: Word[] = [];
  const fail = (message: string, line: number): Fail => ({ ok: false, message: `Line ${line}: ${message}`, line });
  const statement = (line: number): NginxStatement => ({
    name: words[0].v,
    args: words.slice(1).map((w) => w.v),
    quoted: words.slice(1).map((w) => w.quoted),
    line: words[0].line ?? line,
  });
  for (const t of tok.tokens) {
    if (t.t === 'word') {
      words.push(t);
    } else if (t.t === ';') {
      if (words.length === 0) return fail('unexpected ";".', t.line);
      stack[stack.length - 1].push(statement(t.line));
      words = [];
    } else if (t.t === '{') {
      if (words.length === 0) return fail('unexpected "{".', t.line);
      const s = { ...statement(t.line), block: [] };
      stack[stack.length - 1].push(s);
      stack.push(s.block);
      words = [];
    } else {
      if (words.length > 0) return fail(`"${words[0].v}" is missing its ";".`, words[0].line);
      if (stack.length === 1) return fail('unexpected "}".', t.line);
      stack.pop();
    }
  }
  const lastLine = src.split('\n').length;
  if (words.length > 0) return fail(`"${words[0].v}" is missing its ";".`, words[0].line);
  if (stack.length > 1) return fail('a block is not closed: missing "}".', lastLine);
  return { ok: true, statements: root };
}

/** Directives that load files or run code: never acceptable in any rendered file. */
export function forbiddenDirectiveReason(name: string): string | null {
  const n = name.toLowerCase();
  if (n === 'include' || n === 'load_module') return 'reads files that Gatehouse does not manage';
  if (n.includes('lua') || n.startsWith('perl') || n.startsWith('js_') || n.startsWith('njs')) return 'runs code inside Nginx';
  return null;
}

/** Scans text rendered from a user template: it must parse, and load no files or code. */
export function checkRenderedConfig(text: string): { ok: true } | { ok: false; message: string; line: number } {
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return { ok: false, message: 'The output contains control characters.', line: 0 };
  const parsed = parseNginx(text);
  if (!parsed.ok) return parsed;
  const walk = (list: NginxStatement[]): { ok: false; message: string; line: number } | null => {
    for (const s of list) {
      const reason = forbiddenDirectiveReason(s.name);
      if (reason) return { ok: false, message: `Line ${s.line}: "${s.name}" is not allowed because it ${reason}.`, line: s.line };
      const inner = s.block ? walk(s.block) : null;
      if (inner) return inner;
    }
    return null;
  };
  return walk(parsed.statements) ?? { ok: true };
}
