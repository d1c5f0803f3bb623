'use client';

import { useState } from 'react';
import type { UpstreamDto } from '@/lib/proxy/dto';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';

type TargetRow = { key: number; host: string; port: string; weight: string; maxFails: string; failTimeoutSeconds: string; backup: boolean };

/** Every field shown (target rows included), so only errors without an input go on top. */
export const upstreamFieldNames = [
  'name', 'method', 'keepalive', 'healthCheck.type', 'healthCheck.path', 'healthCheck.intervalSeconds',
  ...Array.from({ length: 64 }, (_, i) => ['host', 'port', 'weight', 'backup', 'maxFails', 'failTimeoutSeconds'].map((k) => `targets.${i}.${k}`)).flat(),
];

const methods = [
  { value: 'round_robin', label: 'Round robin' },
  { value: 'least_conn', label: 'Least connections' },
  { value: 'ip_hash', label: 'IP hash (sticky; no backup targets)' },
];
const checks = [
  { value: 'none', label: 'None' },
  { value: 'http', label: 'HTTP' },
  { value: 'tcp', label: 'TCP' },
];

let nextKey = 1;
const row = (t?: UpstreamDto['targets'][number]): TargetRow => ({
  key: nextKey++,
  host: t?.host ?? '',
  port: t ? String(t.port) : '',
  weight: String(t?.weight ?? 1),
  maxFails: String(t?.maxFails ?? 1),
  failTimeoutSeconds: String(t?.failTimeoutSeconds ?? 10),
  backup: t?.backup ?? false,
});

/**
 * The upstream form: pool settings and its targets, one row each (all of them are rendered and
 * used). Rows are named by position (`targets.0.host`…) so the service's errors land on them.
 */
export function UpstreamFields({ upstream }: { upstream?: UpstreamDto }) {
  const [rows, setRows] = useState<TargetRow[]>(() => (upstream?.targets.length ? upstream.targets.map(row) : [row()]));
  const [check, setCheck] = useState(upstream?.healthCheck?.type ?? 'none');
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" required defaultValue={upstream?.name} placeholder="app-backend" autoComplete="off" hint="Lowercase letters, digits and hyphens." />
        <Select label="Balancing" name="method" defaultValue={upstream?.method ?? 'round_robin'} options={methods} />
      </div>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Targets</legend>
        {rows.map((r, i) => (
          <div key={r.key} className="rounded-lg p-3 ring-1 ring-zinc-200 dark:ring-zinc-800" role="group" aria-label={`Target ${i + 1}`}>
            <div className="grid gap-3 sm:grid-cols-[1fr_7rem]">
              <Field label="Host or IP" name={`targets.${i}.host`} defaultValue={r.host} placeholder="10.0.0.5" autoComplete="off" />
              <Field label="Port" name={`targets.${i}.port`} defaultValue={r.port} inputMode="numeric" placeholder="8080" />
            </div>
            <div className="mt-3 grid grid-cols-3 gap-3">
              <Field label="Weight" name={`targets.${i}.weight`} defaultValue={r.weight} inputMode="numeric" />
              <Field label="Max fails" name={`targets.${i}.maxFails`} defaultValue={r.maxFails} inputMode="numeric" />
              <Field label="Fail timeout (s)" name={`targets.${i}.failTimeoutSeconds`} defaultValue={r.failTimeoutSeconds} inputMode="numeric" />
            </div>
            <div className="mt-3 flex items-center justify-between gap-3">
              <Checkbox label="Backup (used only while the others are down)" name={`targets.${i}.backup`} defaultChecked={r.backup} />
              {rows.length > 1 && (
                <Button size="sm" variant="ghost" onClick={() => setRows((cur) => cur.filter((x) => x.key !== r.key))} aria-label={`Remove target ${i + 1}`}>
                  Remove
                </Button>
              )}
            </div>
          </div>
        ))}
        {rows.length < 64 && (
          <Button size="sm" onClick={() => setRows((cur) => [...cur, row()])}>
            Add target
          </Button>
        )}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Keepalive connections" name="keepalive" optional defaultValue={upstream?.keepalive ?? ''} inputMode="numeric" hint="Idle connections kept open to the targets." />
        <Select label="Health check" name="healthCheck.type" defaultValue={check} onChange={(e) => setCheck(e.target.value as typeof check)} options={checks} />
      </div>
      {check !== 'none' && (
        <div className="grid gap-4 sm:grid-cols-2">
          {check === 'http' && <Field label="Health check path" name="healthCheck.path" defaultValue={upstream?.healthCheck?.path ?? '/'} />}
          <Field label="Every (seconds)" name="healthCheck.intervalSeconds" optional defaultValue={upstream?.healthCheck?.intervalSeconds ?? ''} inputMode="numeric" />
        </div>
      )}
    </>
  );
}
