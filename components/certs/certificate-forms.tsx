'use client';

import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { Select } from '@/components/ui/select';
import type { FormServerAction } from '@/components/ui/modal-form';
import { PemField } from './pem-field';
import { TaskActionModal } from './task-action-modal';

export interface DomainOption {
  id: string;
  fqdn: string;
  aliases: string[];
  sslMode: 'none' | 'custom' | 'acme';
}

const uploadFields = ['certificatePem', 'privateKeyPem', 'chainPem', 'domainId'];

/** "Upload certificate": PEM text for the certificate, its key and chain, and optionally a domain to serve it. */
export function UploadCertificateButton({ action, domains }: { action: FormServerAction; domains: DomainOption[] }) {
  return (
    <ModalForm
      action={action}
      title="Upload a certificate"
      description="Paste PEM text. The key must belong to the certificate, the certificate must be valid now, and the chain goes from the issuer of your certificate upwards."
      trigger={
        <>
          <Icon name="plus" />
          Upload certificate
        </>
      }
      submitLabel="Upload"
      size="lg"
      hidden={{ source: 'custom' }}
      fieldNames={uploadFields}
    >
      <PemField label="Certificate" name="certificatePem" placeholder="-----BEGIN CERTIFICATE-----" hint="Your server certificate. A full chain (certificate first) works too." />
      <PemField label="Private key" name="privateKeyPem" placeholder="-----BEGIN PRIVATE KEY-----" hint="Unencrypted. Stored encrypted and never shown again." />
      <PemField label="Chain" name="chainPem" optional rows={4} placeholder="-----BEGIN CERTIFICATE-----" hint="Intermediate certificates, in order." />
      <Select
        label="Serve it on"
        name="domainId"
        defaultValue=""
        options={[{ value: '', label: 'No domain yet: just store it' }, ...domains.map((d) => ({ value: d.id, label: d.fqdn }))]}
        hint="The certificate must cover the domain's name and aliases; the domain switches to it and is deployed."
      />
    </ModalForm>
  );
}

/** "Issue with ACME": choose a domain; the task log follows live. */
export function IssueAcmeButton({ action, domains, onFinished }: { action: FormServerAction; domains: DomainOption[]; onFinished?: () => void }) {
  return (
    <TaskActionModal
      action={action}
      title="Issue a certificate with ACME"
      description="The CA checks an HTTP-01 challenge that this domain's own Nginx answers on port 80, so the domain's DNS must point at its server."
      trigger={
        <>
          <Icon name="shield" />
          Issue with ACME
        </>
      }
      triggerVariant="primary"
      submitLabel="Issue certificate"
      fieldNames={['domainId']}
      onFinished={onFinished}
    >
      <Select
        label="Domain"
        name="domainId"
        defaultValue=""
        options={[
          { value: '', label: domains.length ? 'Choose a domain…' : 'No domains yet' },
          ...domains.map((d) => ({ value: d.id, label: `${d.fqdn}${d.aliases.length ? ` (+${d.aliases.length} alias${d.aliases.length === 1 ? '' : 'es'})` : ''}` })),
        ]}
        hint="The certificate covers the domain and its aliases. Wildcard aliases need a custom certificate."
      />
    </TaskActionModal>
  );
}
