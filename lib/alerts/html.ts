/**
 * The small part of HTML that Telegram's `parse_mode: "HTML"` understands. Telegram wants every
 * `<`, `>` and `&` that is not markup written as an entity, and it accepts only the named
 * entities `&lt;` `&gt;` `&amp;` `&quot;` (plus numeric ones, which we never emit).
 */

/** Escapes text for a Telegram HTML body or attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ENTITY[c]!);
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Reverses `escapeHtml` (and Telegram's numeric entities) so guards can read the plain text. */
export function decodeHtml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-f]{1,6});/gi, (_, name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** The visible text of a Telegram HTML message: tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  return decodeHtml(html.replace(/<[^>]*>/g, ''));
}

/** Wraps already-escaped HTML in one of the tags we use. */
export function tag(name: 'b' | 'i' | 'code', innerHtml: string): string {
  return innerHtml === '' ? '' : `<${name}>${innerHtml}</${name}>`;
}
