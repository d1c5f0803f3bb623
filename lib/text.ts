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

/**
 * Where a NUL character hides in a parsed JSON value (`a.b.0`, `_` for the value itself), or null.
 * Iterative, so a body nested thousands of levels deep cannot overflow the stack.
 */
export function nulPath(value: unknown): string | null {
  type Item = { v: unknown; key: string | null; parent: Item | null };
  const pathOf = (item: Item, last?: string) => {
    const parts: string[] = last === undefined ? [] : [last];
    for (let at: Item | null = item; at && at.key !== null; at = at.parent) parts.unshift(at.key);
    return parts.join('.') || '_';
  };
  const stack: Item[] = [{ v: value, key: null, parent: null }];
  while (stack.length) {
    const item = stack.pop()!;
    const v = item.v;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return pathOf(item);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: String(i), parent: item });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return pathOf(item, k.replaceAll('\u0000', '\\0'));
        stack.push({ v: x, key: k, parent: item });
      }
    }
  }
  return null;
}
