'use client';

import Link from 'next/link';
import useSWR from 'swr';
import { Badge, StatusPill, type Tone } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import type { FormServerAction } from '@/components/ui/modal-form';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { fetchJson } from '@/components/realtime/fetch-json';
import { useEvents } from '@/components/realtime/use-events';
import type { CertificateDto } from '@/lib/certs/schemas';
import { TaskActionModal } from './task-action-modal';

export const CERTIFICATES_URL = '/api/v1/certificates?limit=500';

/** Expiry urgency: red inside a week (or expired), amber inside the 30-day renewal window. */
export function urgency(daysLeft: number | null): { tone: Tone; text: string } {
  if (daysLeft === null) return { tone: 'neutral', text: 'not issued' };
  if (daysLeft < 0) return { tone: 'red', text: `expired ${-daysLeft} day${daysLeft === -1 ? '' : 's'} ago` };
  if (daysLeft === 0) return { tone: 'red', text: 'expires today' };
  const text = `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`;
  return { tone: daysLeft < 7 ? 'red' : daysLeft < 30 ? 'amber' : 'green', text };
}

/** Not issued yet first (they need attention), then soonest expiry first. */
export function sortCertificates(items: CertificateDto[]): CertificateDto[] {
  const key = (c: CertificateDto) => (c.notAfter ? Date.parse(c.notAfter) : -Infinity);
  return [...items].sort((a, b) => key(a) - key(b) || a.id.localeCompare(b.id));
}

interface AdminActions {
  renew: FormServerAction;
  remove: FormServerAction;
}

/**
 * The certificates, live: any certificate, domain or task change revalidates the list. Admin
 * controls exist only when `actions` is given (never for users, who see this read-only).
 */
export function CertificateTable({ initial, actions }: { initial: CertificateDto[]; actions?: AdminActions }) {
  const { data, mutate } = useSWR<{ items: CertificateDto[] }>(CERTIFICATES_URL, fetchJson, { fallbackData: { items: initial } });
  useEvents(['certificate.updated', 'certificate.deleted', 'domain.updated'], () => void mutate(), () => void mutate());
  const items = sortCertificates(data?.items ?? initial);

  if (items.length === 0) {
    return (
      <EmptyState
        icon="shield"
        title="No certificates yet"
        description={actions ? 'Upload your own certificate, or issue one with ACME for a domain.' : 'Certificates of the domains on servers shared with you will show here.'}
      />
    );
  }
  return (
    <Table caption="Certificates, soonest expiry first">
      <THead>
        <Th>Names</Th>
        <Th>Expires</Th>
        <Th>Issuer</Th>
        <Th>Source</Th>
        <Th>Used by</Th>
        <Th>Status</Th>
        {actions && (
          <Th className="text-right">
            <span className="sr-only">Actions</span>
          </Th>
        )}
      </THead>
      <TBody>
        {items.map((c) => {
          const u = urgency(c.daysLeft);
          const first = c.names[0] ?? '(no name)';
          return (
            <Tr key={c.id}>
              <Td primary>
                <Link href={`/certificates/${c.id}`} className="font-medium hover:underline">
                  {first}
                </Link>
                {c.names.length > 1 && (
                  <div className="max-w-xs truncate text-xs font-normal text-zinc-500 dark:text-zinc-400" title={c.names.slice(1).join(', ')}>
                    + {c.names.slice(1).join(', ')}
                  </div>
                )}
              </Td>
              <Td>
                <Badge tone={u.tone} dot>
                  {u.text}
                </Badge>
                <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                  <Time iso={c.notAfter} format="date" empty="—" />
                </div>
              </Td>
              <Td>
                {/* Cells do not wrap (Td); long issuer names do. */}
                <div className="max-w-[12rem] min-w-[8rem] whitespace-normal">{c.issuer ?? <span className="text-zinc-500 dark:text-zinc-400">—</span>}</div>
              </Td>
              <Td>
                <Badge tone={c.source === 'acme' ? 'violet' : 'neutral'}>{c.source === 'acme' ? 'ACME' : 'custom'}</Badge>
              </Td>
              <Td>
                {c.domains.length ? (
                  <ul className="space-y-0.5">
                    {c.domains.map((d) => (
                      <li key={d.id}>{d.fqdn}</li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-zinc-500 dark:text-zinc-400">no domain</span>
                )}
              </Td>
              <Td>
                <StatusPill status={c.status} />
                {c.lastError && <p className="mt-1 max-w-[16rem] min-w-[12rem] text-xs whitespace-normal text-red-700 dark:text-red-400">{c.lastError}</p>}
              </Td>
              {actions && (
                <Td className="text-right">
                  <div className="flex justify-end gap-1">
                    {c.source === 'acme' && c.domainId && (
                      <TaskActionModal
                        action={actions.renew}
                        hidden={{ id: c.id }}
                        title={`Renew ${first}`}
                        description="Gets a new certificate from the CA now, deploys it and reloads Nginx, so it is served at once."
                        trigger="Renew"
                        triggerLabel={`Renew the certificate for ${first}`}
                        triggerVariant="ghost"
                        triggerSize="sm"
                        submitLabel="Renew now"
                        onFinished={() => void mutate()}
                      />
                    )}
                    <ConfirmButton
                      action={actions.remove}
                      hidden={{ id: c.id }}
                      label={`Delete the certificate for ${first}`}
                      title="Delete this certificate?"
                      description={
                        c.domains.length
                          ? `Domains still use it (${c.domains.map((d) => d.fqdn).join(', ')}): point them at another certificate first.`
                          : 'Its key is deleted too. This cannot be undone.'
                      }
                      confirmLabel="Delete certificate"
                    >
                      Delete
                    </ConfirmButton>
                  </div>
                </Td>
              )}
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
