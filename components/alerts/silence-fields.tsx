'use client';

import { useEffect, useState } from 'react';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';

export const silenceFieldNames = ['target', 'startsLocal', 'endsLocal', 'reason'];

/** `YYYY-MM-DDTHH:mm` in the browser's time zone, as a datetime-local input wants it. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A silence's target, window and reason. Times are typed in the browser's own time zone; its
 * UTC offset goes along (tzOffset) so the server stores the instant the admin meant.
 */
export function SilenceFields({ servers, domains }: { servers: Array<{ id: string; name: string }>; domains: Array<{ id: string; fqdn: string }> }) {
  const [defaults, setDefaults] = useState<{ ends: string; offset: number } | null>(null);
  useEffect(() => {
    // Computed after mount: the server does not know the browser's clock or time zone.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setDefaults({ ends: localInput(new Date(Date.now() + 2 * 3600_000)), offset: new Date().getTimezoneOffset() });
  }, []);
  const options = [
    { value: '', label: 'Choose a server or a domain…' },
    ...servers.map((s) => ({ value: `server:${s.id}`, label: `Server: ${s.name} (and its domains)` })),
    ...domains.map((d) => ({ value: `domain:${d.id}`, label: `Domain: ${d.fqdn}` })),
  ];
  return (
    <>
      <input type="hidden" name="tzOffset" value={defaults?.offset ?? 0} />
      <Select label="Silence" name="target" options={options} hint="A server silence covers its domains, certificates and upstream checks too." />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Starts" name="startsLocal" type="datetime-local" optional hint="Empty: now. A later start makes a maintenance window." />
        <Field key={defaults?.ends ?? 'pending'} label="Ends" name="endsLocal" type="datetime-local" defaultValue={defaults?.ends} />
      </div>
      <Field label="Reason" name="reason" maxLength={500} placeholder="Kernel upgrade, moving the database…" optional />
    </>
  );
}
