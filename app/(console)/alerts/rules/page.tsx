import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listAlertRules } from '@/lib/alerts/rules';
import { subjectChoices } from '@/lib/alerts/store';
import { describeCondition, KIND_LABELS, KIND_ORDER } from '@/lib/alerts/kinds';
import type { AlertRuleDto } from '@/lib/alerts/schemas';
import { AlertsTabs } from '@/components/alerts/alerts-tabs';
import { RuleFields, ruleFieldNames } from '@/components/alerts/rule-fields';
import { formatSeconds } from '@/components/alerts/format';
import { Badge, StatusPill } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Icon } from '@/components/ui/icons';
import { ModalForm } from '@/components/ui/modal-form';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { createOverrideAction, deleteRuleAction, updateRuleAction } from '../actions';

export const metadata: Metadata = { title: 'Alert rules' };
export const dynamic = 'force-dynamic';

const SEVERITY_TONE = { critical: 'red', warning: 'amber', info: 'blue' } as const;

export default async function AlertRulesPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  const [{ items }, { servers }] = await Promise.all([listAlertRules(actor, { limit: 500 }), subjectChoices(actor)]);
  const order = (r: AlertRuleDto) => KIND_ORDER.indexOf(r.kind);
  const global = items.filter((r) => !r.serverId).sort((a, b) => order(a) - order(b));
  const names = new Map(servers.map((s) => [s.id, s.name]));
  const overrides = items
    .filter((r) => r.serverId)
    .sort((a, b) => (names.get(a.serverId!) ?? '').localeCompare(names.get(b.serverId!) ?? '') || order(a) - order(b));
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Each rule opens an incident once its condition has held for its duration. A per-server override replaces the global rule of its kind for that server."
        actions={
          admin && (
            <ModalForm action={createOverrideAction} title="New per-server override" trigger={<><Icon name="plus" />New override</>} triggerVariant="primary" submitLabel="Add override" fieldNames={ruleFieldNames} size="lg">
              <RuleFields servers={servers} />
            </ModalForm>
          )
        }
      />
      <AlertsTabs current="rules" />
      <div className="space-y-6">
        <Card title="Global rules" description="Apply to every server without its own override." flush>
          <RuleTable rules={global} admin={admin} caption="Global rules" />
        </Card>
        <Card title="Per-server overrides" flush>
          {overrides.length ? (
            <RuleTable rules={overrides} admin={admin} caption="Per-server overrides" serverNames={names} />
          ) : (
            <p className="px-5 py-4 text-sm text-zinc-600 dark:text-zinc-400">No server has its own rules: the global rules apply everywhere.</p>
          )}
        </Card>
      </div>
    </>
  );
}

function RuleTable({ rules, admin, caption, serverNames }: { rules: AlertRuleDto[]; admin: boolean; caption: string; serverNames?: Map<string, string> }) {
  return (
    <Table caption={caption} framed={false}>
      <THead>
        {serverNames && <Th>Server</Th>}
        <Th>Alert when</Th>
        <Th>For</Th>
        <Th>Severity</Th>
        <Th>Reminders</Th>
        <Th>Status</Th>
        {admin && (
          <Th className="text-right">
            <span className="sr-only">Actions</span>
          </Th>
        )}
      </THead>
      <TBody>
        {rules.map((r) => {
          const where = serverNames ? ` on ${serverNames.get(r.serverId!) ?? 'a server'}` : '';
          return (
            <Tr key={r.id}>
              {serverNames && <Td primary>{serverNames.get(r.serverId!) ?? '—'}</Td>}
              <Td primary={!serverNames}>{describeCondition(r.kind, r.threshold)}</Td>
              <Td>{r.durationSeconds ? formatSeconds(r.durationSeconds) : 'at once'}</Td>
              <Td>
                <Badge tone={SEVERITY_TONE[r.severity]}>{r.severity}</Badge>
              </Td>
              <Td>{r.reminderMinutes ? `every ${formatSeconds(r.reminderMinutes * 60)}` : '—'}</Td>
              <Td>
                <StatusPill status={r.enabled ? 'active' : 'inactive'} label={r.enabled ? 'enabled' : 'disabled'} />
              </Td>
              {admin && (
                <Td className="text-right">
                  <div className="flex justify-end gap-1">
                    <ModalForm
                      action={updateRuleAction}
                      title={`${KIND_LABELS[r.kind]} rule${where}`}
                      trigger="Edit"
                      triggerLabel={`Edit the ${KIND_LABELS[r.kind]} rule${where}`}
                      triggerVariant="ghost"
                      triggerSize="sm"
                      hidden={{ id: r.id }}
                      fieldNames={ruleFieldNames}
                      size="lg"
                    >
                      <RuleFields rule={r} />
                    </ModalForm>
                    {r.serverId && (
                      <ConfirmButton
                        action={deleteRuleAction}
                        hidden={{ id: r.id }}
                        label={`Delete the ${KIND_LABELS[r.kind]} override${where}`}
                        title="Delete this override?"
                        description={`The global ${KIND_LABELS[r.kind]} rule applies to this server again.`}
                        confirmLabel="Delete override"
                      >
                        Delete
                      </ConfirmButton>
                    )}
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
