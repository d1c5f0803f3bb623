import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

/** Unknown addresses outside any section. */
export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-4 py-20">
      <EmptyState
        title="Page not found"
        description="There is nothing at this address."
        action={
          <Link href="/" className={buttonClass('secondary')}>
            Go to Gatehouse
          </Link>
        }
      />
    </main>
  );
}
