import Link from 'next/link';

/** Tags as chips; with `href`, each links to the list filtered by that tag (`?tag=`). */
export function TagChips({ tags, href, className }: { tags: string[]; href?: string; className?: string }) {
  if (!tags.length) return null;
  const chip = 'inline-flex items-center rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-700 ring-1 ring-zinc-500/20 ring-inset dark:bg-zinc-800 dark:text-zinc-300';
  return (
    <span role="list" aria-label="Tags" className={`flex flex-wrap gap-1 ${className ?? ''}`}>
      {tags.map((tag) => (
        <span role="listitem" key={tag}>
          {href ? (
            <Link href={`${href}?tag=${encodeURIComponent(tag)}`} className={`${chip} hover:bg-indigo-50 hover:text-indigo-800 dark:hover:bg-indigo-950`} title={`Show everything tagged ${tag}`}>
              {tag}
            </Link>
          ) : (
            <span className={chip}>{tag}</span>
          )}
        </span>
      ))}
    </span>
  );
}

/** `?tag=a&tag=b` from a page's searchParams, normalised and de-duplicated. */
export function tagsFromSearch(value: string | string[] | undefined): string[] {
  return [...new Set([value ?? []].flat().map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
}

/** The query string for a set of tags (empty when none). */
export function tagQueryString(tags: string[]): string {
  return tags.length ? `?${tags.map((t) => `tag=${encodeURIComponent(t)}`).join('&')}` : '';
}

/**
 * The tag filter above a list: every known tag as a toggle link (pressed when it filters the
 * view), so a filtered view is a URL that can be bookmarked.
 */
export function TagFilter({ all, active, basePath, keep = '' }: { all: string[]; active: string[]; basePath: string; /** Other query parameters to keep, e.g. `window=7d`. */ keep?: string }) {
  const href = (tags: string[]) => {
    const q = [keep, tagQueryString(tags).slice(1)].filter(Boolean).join('&');
    return `${basePath}${q ? `?${q}` : ''}`;
  };
  if (!all.length && !active.length) return null;
  const shown = [...new Set([...all, ...active])].sort();
  return (
    <nav aria-label="Filter by tag" className="flex flex-wrap items-center gap-1.5 text-sm">
      <span className="text-zinc-600 dark:text-zinc-400">Tags:</span>
      {shown.map((tag) => {
        const on = active.includes(tag);
        const next = on ? active.filter((t) => t !== tag) : [...active, tag].sort();
        return (
          <Link
            key={tag}
            href={href(next)}
            aria-current={on ? 'true' : undefined}
            className={
              on
                ? 'rounded-full bg-indigo-600 px-2 py-0.5 text-xs font-medium text-white ring-1 ring-indigo-600 ring-inset'
                : 'rounded-full bg-white px-2 py-0.5 text-xs font-medium text-zinc-700 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700'
            }
            title={on ? `Stop filtering by ${tag}` : `Show only what is tagged ${tag}`}
          >
            {on ? `✓ ${tag}` : tag}
          </Link>
        );
      })}
      {active.length > 0 && (
        <Link href={href([])} className="ml-1 text-xs text-indigo-700 hover:underline dark:text-indigo-400">
          Clear
        </Link>
      )}
    </nav>
  );
}
