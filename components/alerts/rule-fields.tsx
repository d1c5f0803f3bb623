'use client';

import { useState } from 'react';
import type { AlertRuleDto } from '@/lib/alerts/schemas';
import type { AlertKind } from '@/lib/alerts/messages';
import { KIND_LABELS, KIND_ORDER, THRESHOLDS } from '@/lib/alerts/kinds';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';

export const ruleFieldNames = ['kind', 'serverId', 'threshold', 'durationMinutes', 'severity', 'enabled', 'reminderMinutes'];

const SEVERITIES = [
  { value: 'critical', label: 'Critical' },
  { value: 'warning', label: 'Warning' },
  { value: 'info', label: 'Info' },
];

/**
 * A rule's fields. Editing, the kind is fixed; adding a per-server override, the server and
 * kind are chosen here, and the threshold field follows the kind (some kinds have none).
 */
export function RuleFields({ rule, servers }: { rule?: AlertRuleDto; servers?: Array<{ id: string; name: string }> }) {
  const [kind, setKind] = useState<AlertKind>(rule?.kind ?? 'cpu');
  const spec = THRESHOLDS[kind];
  return (
    <>
      {servers && (
        <div className="grid gap-4 sm:grid-cols-2">
          <Select label="Server" name="serverId" options={[{ value: '', label: 'Choose a server…' }, ...servers.map((s) => ({ value: s.id, label: s.name }))]} />
          <Select
            label="Kind"
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as AlertKind)}
            options={KIND_ORDER.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          />
        </div>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        {spec && (
          <Field
            key={kind}
            label={`${spec.label}${spec.unit ? ` (${spec.unit})` : ''}`}
            name="threshold"
            type="number"
            step={spec.integer ? 1 : 'any'}
            min={spec.min}
            max={spec.max}
            defaultValue={rule?.threshold ?? spec.default ?? ''}
            hint={`${spec.min} to ${spec.max}.`}
            optional={spec.default !== undefined}
          />
        )}
        <Field
          label="For (minutes)"
          name="durationMinutes"
          type="number"
          step="any"
          min={0}
          max={1440}
          defaultValue={rule ? rule.durationSeconds / 60 : 5}
          hint={kind === 'server_down' ? 'After monitoring has already counted its failed polls. 0 = at once.' : 'How long the condition must hold. 0 = at once.'}
        />
        <Select label="Severity" name="severity" defaultValue={rule?.severity ?? 'warning'} options={SEVERITIES} />
        <Field
          label="Remind every (minutes)"
          name="reminderMinutes"
          type="number"
          min={5}
          max={10080}
          defaultValue={rule?.reminderMinutes ?? ''}
          optional
          hint="While the incident stays open. Empty: no reminders."
        />
      </div>
      <Checkbox label="Enabled" name="enabled" defaultChecked={rule?.enabled ?? true} hint={servers ? 'A disabled override switches this kind off for the server.' : undefined} />
    </>
  );
}
