import type { Metadata } from 'next';
import { listAudit } from '@/lib/audit';
import { AuditLog } from '@/components/audit/audit-log';
import { PageHeader } from '@/components/ui/page-header';
import { requireAdminPage } from '../require-admin';
import { loadMoreAudit } from './actions';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage() {
  const actor = await requireAdminPage();
  const first = await listAudit(actor, { limit: 50 });
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, when, and from where. Newest first." />
      <AuditLog initial={first} loadMore={loadMoreAudit} />
    </>
  );
}
