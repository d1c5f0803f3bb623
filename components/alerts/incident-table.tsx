'use client';

import Link from 'next/link';
import type { Page } from '@/lib/pagination';
import type { AlertDto } from '@/lib/alerts/schemas';
import { KIND_LABELS } from '@/lib/alerts/kinds';
import { useSeededSWR } from '@/components/realtime/use-seeded-swr';
import { useRevalidateOn } from '@/components/realtime/use-events';
import { Badge, StatusPill, type Tone } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { formatLasted, formatValue } from './format';

export const INCIDENT_EVENTS = ['alert.fired', 'alert.resolved'];
const SEVERITY_TONE: Record<AlertDto['severity'], Tone> = { critical: 'red', warning: 'amber', info: 'blue' };

/**
 * Open or past incidents, live: an `alert.fired` or `alert.resolved` event refetches the list
 * (coalesced), nothing polls. The server renders the first page; SWR takes over in the browser.
 */
export function IncidentTable({ state, initial, caption }: { state: 'firing' | 'resolved'; initial: Page<AlertDto>; caption: string }) {
  const key = `/api/v1/alerts?state=${state}&limit=100`;
  const { data } = useSeededSWR<Page<AlertDto>>(key, initial);
  useRevalidateOn(key, INCIDENT_EVENTS);
  const items = data?.items ?? [];
  if (items.length === 0) {
    return state === 'firing' ? (
      <EmptyState icon="check" title="Nothing is firing" description="When a rule's condition holds for its duration, the incident shows here and one message goes to Telegram." />
    ) : (
      <p className="px-5 py-4 text-sm text-zinc-600 dark:text-zinc-400">No incident has been resolved yet.</p>
    );
  }
  return (
    <Table caption={caption} framed={false}>
      <THead>
        <Th>Severity</Th>
        <Th>Alert</Th>
        <Th>Subject</Th>
        <Th>{state === 'firing' ? 'Now' : 'Last value'}</Th>
        <Th>Started</Th>
        <Th>{state === 'firing' ? 'State' : 'Lasted'}</Th>
      </THead>
      <TBody>
        {items.map((a) => (
          <Tr key={a.id}>
            <Td>
              <Badge tone={SEVERITY_TONE[a.severity]}>{a.severity}</Badge>
            </Td>
            <Td primary>
              <Link href={`/alerts/${a.id}`} className="hover:underline">
                {KIND_LABELS[a.kind].replace(' (any mount)', '')}
              </Link>
              {a.mount && <span className="ml-1.5 font-mono text-xs text-zinc-500 dark:text-zinc-400">{a.mount}</span>}
            </Td>
            <Td>
              <Subject alert={a} />
            </Td>
            <Td>{formatValue(a.kind, a.value)}</Td>
            <Td>
              <Time iso={a.startedAt} format={state === 'firing' ? 'relative' : 'datetime'} />
            </Td>
            <Td>
              {state === 'firing' ? (
                <span className="flex items-center gap-1.5">
                  <StatusPill status="firing" />
                  {a.silenced && <StatusPill status="silenced" />}
                </span>
              ) : (
                formatLasted(a.startedAt, a.resolvedAt)
              )}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}

function Subject({ alert }: { alert: AlertDto }) {
  const { subject } = alert;
  const kind = { server: 'Server', domain: 'Domain', upstream: 'Upstream', certificate: 'Certificate' }[subject.type];
  const href = { server: `/servers/${subject.id}`, domain: `/domains/${subject.id}`, upstream: `/upstreams/${subject.id}`, certificate: `/certificates/${subject.id}` }[subject.type];
  return (
    <span className="flex flex-col">
      {href ? (
        <Link href={href} className="font-medium text-indigo-700 hover:underline dark:text-indigo-400">
          {subject.name}
        </Link>
      ) : (
        <span className="font-medium text-zinc-900 dark:text-zinc-100">{subject.name}</span>
      )}
      <span className="text-xs text-zinc-500 dark:text-zinc-400">{kind}</span>
    </span>
  );
}
