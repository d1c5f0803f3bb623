'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { formAction } from '@/lib/http/action';
import { createTemplate, deleteTemplate, getTemplate, previewTemplateFor, updateTemplate } from '@/lib/proxy/templates-service';
import { plural } from '@/lib/errors';

const byId = z.object({ id: z.string().min(1) });
const templateForm = z.object({ name: z.string().optional(), kind: z.string().optional(), body: z.string().optional() });
const options = { admin: true, revalidate: '/templates' };

export const createTemplateAction = formAction(
  templateForm,
  async (f, actor) => {
    const t = await createTemplate(actor, f);
    redirect(`/templates/${t.id}?created=1`);
  },
  options,
);

export const updateTemplateAction = formAction(
  templateForm.extend(byId.shape),
  async ({ id, ...f }, actor) => {
    const t = await updateTemplate(actor, id, f);
    return t.domainCount ? `Saved ${t.name}. Its ${plural(t.domainCount, 'domain')} ${t.domainCount === 1 ? 'is' : 'are'} pending until the next deploy.` : `Saved ${t.name}.`;
  },
  { ...options, revalidate: ['/templates', '/templates/[id]'] },
);

export const deleteTemplateAction = formAction(
  byId,
  async ({ id }, actor) => {
    const t = await getTemplate(actor, id);
    await deleteTemplate(actor, id);
    redirect(`/templates?deleted=${encodeURIComponent(t.name)}`);
  },
  options,
);

/** Renders the body for one domain: the text, or the problem with its template line. */
export type PreviewOutcome = { ok: true; text: string } | { ok: false; message: string; line: number | null };

export const previewTemplateAction = formAction<z.ZodObject<{ body: z.ZodOptional<z.ZodString>; domainId: z.ZodOptional<z.ZodString> }>, PreviewOutcome>(
  z.object({ body: z.string().optional(), domainId: z.string().optional() }),
  async (f, actor) => {
    try {
      const text = await previewTemplateFor(actor, { body: f.body ?? '', domainId: f.domainId ?? '' });
      return { message: 'Rendered.', data: { ok: true as const, text } };
    } catch (err) {
      // A template problem is a result to show in the editor, not a failed form.
      if (err instanceof AppError && err.status === 422 && err.fields?.body) {
        return { message: err.message, data: { ok: false as const, message: err.message, line: (err.details?.line as number | undefined) ?? null } };
      }
      throw err;
    }
  },
  { admin: true },
);
