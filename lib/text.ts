/**
 * Rules for free text people type (names, labels, reasons). Control characters and invisible
 * formatting ones (bidi overrides, zero-width spaces and joiners, BOM) would make a name display as
 * something else in the console, a log or a Telegram message, and PostgreSQL cannot store NUL at all.
 */

/** One line: no control characters (NUL, ESC, newlines …) and no invisible formatting characters. */
export const PLAIN_LINE = /^[^\p{Cc}\p{Cf}]*$/u;
export const PLAIN_LINE_MESSAGE = 'Use no control or invisible characters.';

/** Several lines: newlines and tabs are fine; other control and invisible formatting characters are not. */
export const PLAIN_TEXT = /^[^\p{Cf}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/u;
export const PLAIN_TEXT_MESSAGE = 'Use no control or invisible characters (new lines are fine).';

/** Where a NUL character hides in a parsed JSON value (`a.b.0`, `_` for the value itself), or null. */
export function nulPath(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || '_' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return [...path, k.replaceAll('\u0000', '\\0')].join('.');
      const found = nulPath(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}
