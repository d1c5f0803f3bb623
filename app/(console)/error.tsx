'use client';

import Link from 'next/link';
import { Button, buttonClass } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

/** Friendly and without details: the real error is in the server log under its digest. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert">
      <EmptyState
        icon="alert"
        title="This page could not be shown"
        description={
          <>
            Something went wrong on our side. Try again; if it keeps happening, the server log has the details
            {error.digest && (
              <>
                {' '}
                (reference <code className="font-mono">{error.digest}</code>)
              </>
            )}
            .
          </>
        }
        action={
          <div className="flex gap-2">
            <Button variant="primary" onClick={reset}>
              Try again
            </Button>
            <Link href="/" className={buttonClass('secondary')}>
              Dashboard
            </Link>
          </div>
        }
      />
    </div>
  );
}
