import type { Metadata } from 'next';
import Link from 'next/link';
import { listTemplates } from '@/lib/proxy/templates-service';
import { Badge } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { Icon } from '@/components/ui/icons';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { requireAdminPage } from '../require-admin';

export const metadata: Metadata = { title: 'Templates' };

export default async function TemplatesPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  const actor = await requireAdminPage();
  const [{ items }, { deleted }] = await Promise.all([listTemplates(actor, { limit: 500 }), searchParams]);
  const sorted = [...items].sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name));
  return (
    <>
      <PageHeader
        title="Templates"
        description="How a domain's Nginx file is written. The built-in HTTP and SSL templates fit most sites; write your own for the rest."
        actions={
          <Link href="/templates/new" className={buttonClass('primary')}>
            <Icon name="plus" />
            New template
          </Link>
        }
      />
      {deleted && (
        <div className="mb-4">
          <Notice tone="success" role="status">
            Deleted the template {deleted}.
          </Notice>
        </div>
      )}
      <Table caption="Templates">
        <THead>
          <Th>Template</Th>
          <Th>Kind</Th>
          <Th>Domains</Th>
          <Th>Changed</Th>
        </THead>
        <TBody>
          {sorted.map((t) => (
            <Tr key={t.id}>
              <Td>
                <Link href={`/templates/${t.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
                  {t.name}
                </Link>
                {t.builtin && (
                  <Badge tone="violet" className="ml-2">
                    built-in
                  </Badge>
                )}
              </Td>
              <Td>{t.kind.toUpperCase()}</Td>
              <Td>{t.domainCount}</Td>
              <Td>
                <Time iso={t.updatedAt} format="relative" />
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </>
  );
}
