import Link from 'next/link';
import { Fragment } from 'react';

export interface Crumb {
  label: string;
  /** Omitted for the page itself (shown as text). */
  href?: string;
}

/** The trail above a detail page's header, e.g. Domains / edge-1. Falsy entries are skipped. */
export function Breadcrumb({ trail }: { trail: ReadonlyArray<Crumb | null | undefined | false> }) {
  const crumbs = trail.filter((c): c is Crumb => Boolean(c));
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
      {crumbs.map((c, i) => (
        <Fragment key={i}>
          {i > 0 && ' / '}
          {c.href ? (
            <Link href={c.href} className="hover:underline">
              {c.label}
            </Link>
          ) : (
            <span>{c.label}</span>
          )}
        </Fragment>
      ))}
    </nav>
  );
}
