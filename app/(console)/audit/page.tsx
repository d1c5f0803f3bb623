import type { Metadata } from 'next';
import { auditFilterChoices, auditListParams, listAudit } from '@/lib/audit';
import { AuditLog } from '@/components/audit/audit-log';
import { AuditFilter } from '@/components/audit/audit-filter';
import { PageHeader } from '@/components/ui/page-header';
import { requireAdminPage } from '../require-admin';
import { loadMoreAudit } from './actions';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireAdminPage();
  const raw = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = auditListParams.safeParse({ action: one(raw.action), type: one(raw.type), user: one(raw.user) });
  const filter = parsed.success ? { action: parsed.data.action, type: parsed.data.type, user: parsed.data.user } : {};
  const [first, choices] = await Promise.all([listAudit(actor, { limit: 50, ...filter }), auditFilterChoices(actor)]);
  const filtered = Boolean(filter.action || filter.type || filter.user);
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, when, and from where. Newest first." />
      <AuditFilter value={filter} choices={choices} />
      <AuditLog key={JSON.stringify(filter)} initial={first} filter={filter} filtered={filtered} loadMore={loadMoreAudit} />
    </>
  );
}
