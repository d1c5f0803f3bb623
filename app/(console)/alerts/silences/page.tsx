import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listSilences } from '@/lib/alerts/silences';
import { subjectChoices } from '@/lib/alerts/store';
import type { SilenceDto } from '@/lib/alerts/schemas';
import { AlertsTabs } from '@/components/alerts/alerts-tabs';
import { SilenceFields, silenceFieldNames } from '@/components/alerts/silence-fields';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { PageHeader } from '@/components/ui/page-header';
import { StatusPill } from '@/components/ui/badge';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { createSilenceAction, deleteSilenceAction } from '../actions';

export const metadata: Metadata = { title: 'Silences' };
export const dynamic = 'force-dynamic';

export default async function SilencesPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const [{ items }, choices] = await Promise.all([listSilences(actor, { limit: 200 }), subjectChoices(actor)]);
  const serverNames = new Map(choices.servers.map((s) => [s.id, s.name]));
  const domainNames = new Map(choices.domains.map((d) => [d.id, d.fqdn]));
  // Operators (lib/access/rbac.ts) silence the servers they operate and those servers' domains.
  const operable = (serverId: string) => choices.operable === null || choices.operable.includes(serverId);
  const domainServer = new Map(choices.domains.map((d) => [d.id, d.serverId]));
  const mayEnd = (s: SilenceDto) => {
    const serverId = s.serverId ?? (s.domainId ? domainServer.get(s.domainId) : undefined);
    return admin || (serverId !== undefined && operable(serverId));
  };
  const servers = choices.servers.filter((s) => operable(s.id));
  const domains = choices.domains.filter((d) => operable(d.serverId));
  const canCreate = admin || servers.length > 0;
  const anyEnd = items.some(mayEnd);
  const target = (s: SilenceDto) => (s.serverId ? `Server ${serverNames.get(s.serverId) ?? '(removed)'}` : `Domain ${domainNames.get(s.domainId!) ?? '(removed)'}`);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="While a silence is active, incidents on its server or domain are still recorded but their Telegram messages are held. When it ends, an incident still open is announced; one that opened and closed inside it is never sent."
        actions={
          canCreate && (
            <ModalForm action={createSilenceAction} title="New silence" trigger={<><Icon name="plus" />New silence</>} triggerVariant="primary" submitLabel="Create silence" fieldNames={silenceFieldNames} size="lg">
              <SilenceFields servers={servers} domains={domains} />
            </ModalForm>
          )
        }
      />
      <AlertsTabs current="silences" />
      {items.length === 0 ? (
        <EmptyState icon="info" title="No silences" description={canCreate ? 'Silence a server or a domain for maintenance: incidents are recorded, messages wait.' : 'An admin can silence servers during maintenance; current ones show here.'} />
      ) : (
        <Card title="Current and scheduled" flush>
          <Table caption="Silences" framed={false}>
            <THead>
              <Th>Silenced</Th>
              <Th>Starts</Th>
              <Th>Ends</Th>
              <Th>Reason</Th>
              <Th>State</Th>
              {anyEnd && (
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </THead>
            <TBody>
              {items.map((s) => (
                <Tr key={s.id}>
                  <Td primary>{target(s)}</Td>
                  <Td>
                    <Time iso={s.startsAt} />
                  </Td>
                  <Td>
                    <Time iso={s.endsAt} />
                  </Td>
                  <Td className="max-w-72 truncate whitespace-normal">{s.reason || <span className="text-zinc-500 dark:text-zinc-400">—</span>}</Td>
                  <Td>
                    <StatusPill status={s.active ? 'silenced' : 'queued'} label={s.active ? 'active' : 'scheduled'} />
                  </Td>
                  {anyEnd && (
                    <Td className="text-right">
                      {mayEnd(s) && (
                      <ConfirmButton
                        action={deleteSilenceAction}
                        hidden={{ id: s.id }}
                        label={`End the silence of ${target(s)}`}
                        title="End this silence now?"
                        description="Held messages are reconsidered within seconds: incidents still open are announced."
                        confirmLabel="End silence"
                      >
                        End now
                      </ConfirmButton>
                      )}
                    </Td>
                  )}
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      )}
    </>
  );
}
