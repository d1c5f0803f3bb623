'use client';

import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { TemplateDto } from '@/lib/proxy/dto';
import type { FormState } from '@/lib/http/action';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, HiddenFields, initialFormState, SubmitButton } from '@/components/ui/form';
import type { FormServerAction } from '@/components/ui/modal-form';
import { Notice } from '@/components/ui/notice';
import { Select } from '@/components/ui/select';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { controlClass } from '@/components/ui/field-parts';
import { TemplateBodyEditor } from './template-body-editor';

type Preview = { ok: true; text: string } | { ok: false; message: string; line: number | null };

const lineOf = (message: string | undefined) => {
  const m = message ? /^Line (\d+):/.exec(message) : null;
  return m ? Number(m[1]) : null;
};

/**
 * Edit a template and preview it against a real domain before saving: the rendered text, or the
 * error with its line marked in the editor. Built-in templates are shown read-only.
 */
export function TemplateEditor({
  template,
  initialBody,
  domains,
  save,
  preview,
}: {
  template?: TemplateDto;
  initialBody: string;
  domains: { id: string; fqdn: string }[];
  save: FormServerAction | null;
  preview: (state: FormState, data: FormData) => Promise<FormState>;
}) {
  const readOnly = Boolean(template?.builtin) || !save;
  const [body, setBody] = useState(initialBody);
  const [domainId, setDomainId] = useState(domains[0]?.id ?? '');
  const [result, setResult] = useState<Preview | null>(null);
  const [previewing, startPreview] = useTransition();
  const [state, dispatch] = useToastedAction(save ?? (async () => initialFormState));
  const saveError = state.fields?.body?.join(' ');
  const errorLine = result && !result.ok ? result.line : lineOf(saveError);

  const runPreview = () =>
    startPreview(async () => {
      const data = new FormData();
      data.set('body', body);
      data.set('domainId', domainId);
      const answer = await preview(initialFormState, data);
      setResult(answer.ok ? (answer.data as Preview) : { ok: false, message: answer.message ?? 'The preview failed.', line: null });
    });

  return (
    // One column: the editor takes the page's full width (long Nginx lines need it), the preview below it.
    <div className="grid gap-6">
      <Card>
        <Form action={dispatch} state={state}>
          {template && <HiddenFields values={{ id: template.id }} />}
          <FormMessage fieldNames={['name', 'kind', 'body']} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Name" name="name" defaultValue={template?.name} readOnly={readOnly} autoComplete="off" />
            <Select
              label="Kind"
              name="kind"
              defaultValue={template?.kind ?? 'http'}
              disabled={readOnly}
              hint="HTTP: domains without SSL. SSL: domains with a certificate."
              options={[
                { value: 'http', label: 'HTTP' },
                { value: 'ssl', label: 'SSL' },
              ]}
            />
          </div>
          <TemplateBodyEditor name="body" value={body} onChange={(v) => { setBody(v); setResult(null); }} errorLine={errorLine} error={saveError} readOnly={readOnly} />
          {!readOnly && (
            <div className="flex justify-end">
              <SubmitButton>{template ? 'Save template' : 'Create template'}</SubmitButton>
            </div>
          )}
          {template?.builtin && (
            <Notice tone="info">
              Built-in templates are read-only and always render from the code shipped with Gatehouse.{' '}
              <Link href={`/templates/new?from=${template.id}`} className="font-medium underline">
                Start a template from this one
              </Link>
              .
            </Notice>
          )}
        </Form>
      </Card>
      <Card title="Preview" description="Render the body above for one of your domains. Nothing is saved or deployed.">
        {domains.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Add a domain to preview templates against it.</p>
        ) : (
          <div className="space-y-4">
            <div className="flex flex-wrap items-end gap-3">
              <div className="min-w-56 flex-1 space-y-1.5">
                <label htmlFor="preview-domain" className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
                  Domain
                </label>
                <select id="preview-domain" value={domainId} onChange={(e) => setDomainId(e.target.value)} className={`${controlClass(false)} h-10`}>
                  {domains.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.fqdn}
                    </option>
                  ))}
                </select>
              </div>
              <Button onClick={runPreview} pending={previewing}>
                Preview
              </Button>
            </div>
            <div aria-live="polite">
              {result?.ok && <pre className="max-h-[36rem] overflow-auto rounded-md bg-zinc-50 p-3 font-mono text-xs leading-5 dark:bg-zinc-950">{result.text}</pre>}
              {result && !result.ok && (
                <Notice tone="error" title={result.line ? `Error on line ${result.line}` : 'The template does not render'} role="alert">
                  {result.message}
                </Notice>
              )}
            </div>
          </div>
        )}
      </Card>
    </div>
  );
}
