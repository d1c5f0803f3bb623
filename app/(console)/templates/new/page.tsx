import type { Metadata } from 'next';
import { getTemplate } from '@/lib/proxy/templates-service';
import { listDomains } from '@/lib/proxy/domains';
import { BUILTIN_HTTP_BODY } from '@/lib/proxy/templates/builtin';
import { PageHeader } from '@/components/ui/page-header';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { TemplateEditor } from '@/components/proxy/template-editor';
import { requireAdminPage } from '../../require-admin';
import { createTemplateAction, previewTemplateAction } from '../actions';

export const metadata: Metadata = { title: 'New template' };

export default async function NewTemplatePage({ searchParams }: { searchParams: Promise<{ from?: string }> }) {
  const actor = await requireAdminPage();
  const { from } = await searchParams;
  const [source, domains] = await Promise.all([from ? getTemplate(actor, from).catch(() => null) : Promise.resolve(null), listDomains(actor, { limit: 500 })]);
  return (
    <>
      <Breadcrumb trail={[{ href: '/templates', label: 'Templates' }]} />
      <PageHeader title="New template" description={source ? `Starting from ${source.name}.` : 'Starting from the built-in HTTP template.'} />
      <TemplateEditor
        initialBody={source?.body ?? BUILTIN_HTTP_BODY}
        domains={domains.items.map((d) => ({ id: d.id, fqdn: d.fqdn }))}
        save={createTemplateAction}
        preview={previewTemplateAction}
      />
    </>
  );
}
