/**
 * The one place Gatehouse turns values into POSIX shell words. Every remote command that carries a
 * value (a path, a user-supplied name, file content) builds it with `shq` or the `cmd` template, so
 * no value can end a word and start a command of its own.
 */

/** Thrown for values no shell word can carry. */
export class ShellQuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellQuoteError';
  }
}

/** A fragment that `cmd` inserts verbatim; build it only from constants or other quoted output. */
export class ShellFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Marks already-safe shell text (e.g. the output of `cmd`) for verbatim insertion into `cmd`. */
export function raw(text: string): ShellFragment {
  return new ShellFragment(text);
}

/**
 * POSIX single-quote quoting: inside '...' every byte is literal, so the only character to handle
 * is the quote itself, written as '\'' (close, escaped quote, reopen). NUL cannot be passed in an
 * argv string at all (C strings end there), so it is refused rather than silently truncated.
 */
export function shq(value: string | number): string {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string') throw new ShellQuoteError('shell values must be strings or numbers');
  if (s.includes('\0')) throw new ShellQuoteError('shell values cannot contain NUL bytes');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

type CmdValue = string | number | ShellFragment | readonly (string | number | ShellFragment)[];

function quoteOne(value: string | number | ShellFragment): string {
  return value instanceof ShellFragment ? value.text : shq(value);
}

/**
 * Tagged template that quotes every interpolation: cmd`install -m ${mode} -- ${src} ${dest}`.
 * An array becomes several words; a `raw()` fragment is inserted as is.
 */
export function cmd(strings: TemplateStringsArray, ...values: CmdValue[]): string {
  let out = strings[0];
  values.forEach((value, i) => {
    if (Array.isArray(value)) out += value.map(quoteOne).join(' ');
    else out += quoteOne(value as string | number | ShellFragment);
    out += strings[i + 1];
  });
  return out;
}
