import { z } from 'zod';
import { multilineString } from '../nginx/grammar';

const MAX_PEM = 64 * 1024;
const pem = (what: string) => multilineString({ error: `Paste the ${what} (PEM).` }).max(MAX_PEM, `The ${what} is longer than 64 KiB; paste only the PEM text.`);
const id = z.string({ error: 'Give an id.' }).trim().min(1, 'Choose a domain.').max(100, 'Not a valid id.');

/**
 * `POST /certificates`: a custom upload `{certificatePem, privateKeyPem, chainPem?, domainId?}`
 * (source defaults to custom) or an ACME request `{source: "acme", domainId}`. One object with
 * rules per source (not a union) so every problem comes back under its own field name.
 */
export const certificateCreateInput = z
  .strictObject({
    source: z.enum(['custom', 'acme'], { error: 'Source must be custom or acme.' }).default('custom'),
    certificatePem: pem('certificate').optional(),
    privateKeyPem: pem('private key').optional(),
    chainPem: pem('chain').nullable().optional(),
    /** custom: attach to this domain (its names must be covered); acme: the domain to issue for. */
    domainId: id.nullable().optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (v.source === 'custom') {
      if (!v.certificatePem?.trim()) issue('certificatePem', 'Paste the certificate (PEM).');
      if (!v.privateKeyPem?.trim()) issue('privateKeyPem', 'Paste the private key (PEM).');
      return;
    }
    if (!v.domainId) issue('domainId', 'Choose the domain to issue a certificate for.');
    for (const f of ['certificatePem', 'privateKeyPem', 'chainPem'] as const) {
      if (v[f]) issue(f, 'ACME certificates are issued by the CA: leave this out.');
    }
  });
export type CertificateCreateInput = z.output<typeof certificateCreateInput>;

export const certificateSource = z.enum(['custom', 'acme']);
export const certificateStatus = z.enum(['pending', 'valid', 'failed', 'expired']);

export const certificateSchema = z.object({
  id: z.string(),
  source: certificateSource,
  status: certificateStatus,
  names: z.array(z.string()),
  issuer: z.string().nullable(),
  notBefore: z.string().nullable(),
  notAfter: z.string().nullable(),
  /** Whole days until notAfter (negative once expired); null while an ACME certificate is pending. */
  daysLeft: z.number().int().nullable(),
  fingerprint: z.string().nullable(),
  /** Domains serving this certificate (for a user: only those on servers shared with them). */
  domains: z.array(z.object({ id: z.string(), fqdn: z.string() })),
  /** ACME: the domain it is issued for. */
  domainId: z.string().nullable(),
  lastError: z.string().nullable(),
  renewAttempts: z.number().int(),
  renewedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CertificateDto = z.infer<typeof certificateSchema>;

/** One certificate with its public PEM text; the private key is never returned. */
export const certificateDetailSchema = certificateSchema.extend({
  certificatePem: z.string().nullable(),
  chainPem: z.string().nullable(),
});
export type CertificateDetailDto = z.infer<typeof certificateDetailSchema>;

/** A custom upload that was attached to a domain answers with the deploy task as well. */
export const certificateCreatedSchema = certificateDetailSchema.extend({ deployTaskId: z.string().nullable().optional() });

export const certificateListParams = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
  source: certificateSource.optional(),
  domainId: z.string().max(100).optional(),
});
export type CertificateListParams = z.infer<typeof certificateListParams>;
