'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { certificateCreateInput } from '@/lib/certs/schemas';
import { createCertificate, deleteCertificate, getCertificate, renewCertificate } from '@/lib/certs/service';
import { directoryUrlOf } from '@/lib/certs/acme-directories';
import { updateSettings } from '@/lib/settings/service';

const byId = z.object({ id: z.string().min(1) });
const options = { admin: true, revalidate: '/certificates' };

export const uploadCertificateAction = formAction(
  certificateCreateInput,
  async (data, actor) => {
    const r = await createCertificate(actor, { ...data, source: 'custom' });
    if (r.kind !== 'custom') return;
    const attached = r.certificate.domains.map((d) => d.fqdn);
    if (attached.length === 0) return `Uploaded the certificate for ${r.certificate.names[0] ?? 'its names'}.`;
    return `Uploaded; ${attached.join(', ')} ${attached.length === 1 ? 'serves' : 'serve'} it once deployed.`;
  },
  options,
);

export const issueAcmeAction = formAction(
  z.object({ domainId: z.string({ error: 'Choose a domain.' }).min(1, 'Choose a domain.') }),
  async ({ domainId }, actor) => {
    const r = await createCertificate(actor, { source: 'acme', domainId });
    if (r.kind !== 'acme') return;
    return { message: 'Issuing started.', data: { taskId: r.taskId } };
  },
  options,
);

export const renewCertificateAction = formAction(
  byId,
  async ({ id }, actor) => {
    const { taskId } = await renewCertificate(actor, id);
    return { message: 'Renewal started.', data: { taskId } };
  },
  options,
);

export const deleteCertificateAction = formAction(
  byId,
  async ({ id }, actor) => {
    const cert = await getCertificate(actor, id);
    await deleteCertificate(actor, id);
    return `Deleted the certificate for ${cert.names[0] ?? 'its names'}.`;
  },
  options,
);

/**
 * Settings → ACME: the directory (a preset or a typed URL) and the account e-mail; an empty
 * e-mail removes it. lib leaves out a value set by an environment variable (its field is
 * disabled on the card).
 */
export const saveAcmeAction = formAction(
  z.object({
    preset: z.enum(['production', 'staging', 'custom']).default('custom'),
    acme: z.object({ directoryUrl: z.string().optional(), email: z.string().optional() }),
  }),
  async ({ preset, acme: form }, actor) => {
    const acme = { directoryUrl: directoryUrlOf(preset ?? 'custom', form.directoryUrl), email: form.email?.trim() || null };
    await updateSettings(actor, { acme }, { fromForm: true });
    return 'Saved the ACME settings. The next issuance or renewal uses them.';
  },
  { admin: true, revalidate: '/settings', fields: { directoryUrl: 'acme.directoryUrl', email: 'acme.email' } },
);
