import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

/** What a signed-in user sees on an admin-only page (requireAdminPage → forbidden(), HTTP 403). */
export default function ConsoleForbidden() {
  return (
    <EmptyState
      icon="shield"
      title="Only an admin can see this page"
      description="Ask an admin of this Gatehouse if you need access."
      action={
        <Link href="/" className={buttonClass('secondary')}>
          Back to the dashboard
        </Link>
      }
    />
  );
}
