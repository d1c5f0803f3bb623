import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listCertificates } from '@/lib/certs/service';
import { domainChoices } from '@/lib/certs/store';
import { PageHeader } from '@/components/ui/page-header';
import { CertificateTable } from '@/components/certs/certificate-table';
import { IssueAcmeButton, UploadCertificateButton } from '@/components/certs/certificate-forms';
import { deleteCertificateAction, issueAcmeAction, renewCertificateAction, uploadCertificateAction } from './actions';

export const metadata: Metadata = { title: 'Certificates' };

/**
 * Admins manage every certificate; users see, read-only, the certificates of domains on servers
 * shared with them (lib/certs/store.ts decides; admin controls are never rendered for them).
 */
export default async function CertificatesPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const [{ items }, domains] = await Promise.all([listCertificates(actor, { limit: 500 }), admin ? domainChoices() : Promise.resolve([])]);
  return (
    <>
      <PageHeader
        title="Certificates"
        description={
          admin
            ? 'Your own certificates and ACME ones. ACME certificates renew by themselves 30 days before they expire, and the new one is served at once.'
            : 'Certificates of the domains on servers shared with you (read-only).'
        }
        actions={
          admin && (
            <>
              <UploadCertificateButton action={uploadCertificateAction} domains={domains} />
              <IssueAcmeButton action={issueAcmeAction} domains={domains} />
            </>
          )
        }
      />
      <CertificateTable initial={items} actions={admin ? { renew: renewCertificateAction, remove: deleteCertificateAction } : undefined} />
    </>
  );
}
