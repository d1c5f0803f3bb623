import type { Metadata } from 'next';
import { getTemplate } from '@/lib/proxy/templates-service';
import { listDomains } from '@/lib/proxy/domains';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { TemplateEditor } from '@/components/proxy/template-editor';
import { requireAdminPage } from '../../require-admin';
import { deleteTemplateAction, previewTemplateAction, updateTemplateAction } from '../actions';
import { orNotFound } from '../../or-not-found';
import { plural } from '@/lib/errors';

export const metadata: Metadata = { title: 'Template' };

export default async function TemplatePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ created?: string }> }) {
  const actor = await requireAdminPage();
  const [{ id }, { created }] = await Promise.all([params, searchParams]);
  const template = await orNotFound(getTemplate(actor, id));
  const domains = await listDomains(actor, { limit: 500 });
  return (
    <>
      <Breadcrumb trail={[{ href: '/templates', label: 'Templates' }]} />
      <PageHeader
        title={template.name}
        description={`${template.kind.toUpperCase()} template${template.builtin ? ', built-in' : ''}; used by ${plural(template.domainCount, 'domain')}.`}
        actions={
          !template.builtin && (
            <ConfirmButton
              action={deleteTemplateAction}
              hidden={{ id: template.id }}
              title={`Delete ${template.name}?`}
              description={template.domainCount ? 'Domains use it: choose another template for them first.' : 'No domain uses it.'}
              confirmLabel="Delete template"
              size="md"
            >
              Delete
            </ConfirmButton>
          )
        }
      />
      {created && (
        <div className="mb-4">
          <Notice tone="success" role="status">
            Template created. Choose it in a domain&apos;s settings, then deploy.
          </Notice>
        </div>
      )}
      <TemplateEditor
        template={template}
        initialBody={template.body}
        domains={domains.items.map((d) => ({ id: d.id, fqdn: d.fqdn }))}
        save={template.builtin ? null : updateTemplateAction}
        preview={previewTemplateAction}
      />
    </>
  );
}
