import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

export default function ConsoleNotFound() {
  return (
    <EmptyState
      icon="info"
      title="Not found"
      description="This page or item does not exist, or it is not shared with you."
      action={
        <Link href="/" className={buttonClass('secondary')}>
          Back to the dashboard
        </Link>
      }
    />
  );
}
