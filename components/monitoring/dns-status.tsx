'use client';

import useSWR from 'swr';
import type { DnsCheckDto } from '@/lib/monitoring/schemas';
import { ActionButton } from '@/components/ui/action-button';
import { StatusPill } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { fetchJson } from '@/components/realtime/fetch-json';
import { useRevalidateOn } from '@/components/realtime/use-events';
import { checkDnsAction } from './actions';

export interface DnsStatusProps {
  domainId: string;
  /** The domain row's nsStatus / nsFound / nsCheckedAt (ISO), as the page loaded them. */
  nsStatus: 'unknown' | 'ok' | 'mismatch' | 'error';
  nsFound?: string[] | null;
  nsCheckedAt?: string | null;
  /** Admins: show "Check now". */
  canCheck?: boolean;
  /** One line for a table cell; the full form lists the nameservers found. */
  compact?: boolean;
}

type Shown = Omit<DnsCheckDto, 'id' | 'at'> & { at: string | null };

async function latestCheck(url: string): Promise<Shown | null> {
  return (await fetchJson<{ items: DnsCheckDto[] }>(url)).items[0] ?? null;
}

/**
 * A domain's nameserver status, live: a `domain.updated` event for this domain refetches the
 * latest check. For the domains pages (list column: `compact`; detail page: full).
 */
export function DnsStatus({ domainId, nsStatus, nsFound, nsCheckedAt, canCheck, compact }: DnsStatusProps) {
  const key = `/api/v1/domains/${encodeURIComponent(domainId)}/dns-checks?limit=1`;
  const known = nsStatus !== 'unknown';
  const fallback: Shown | null = known ? { at: nsCheckedAt ?? null, status: nsStatus, found: nsFound ?? [], message: null } : null;
  // Without the time and names of the last check (a list row may not carry them), fetch it.
  const { data } = useSWR<Shown | null>(key, latestCheck, { fallbackData: fallback, revalidateOnMount: known && !nsCheckedAt, revalidateOnFocus: false });
  useRevalidateOn(key, ['domain.updated'], (d) => d.domainId === domainId);
  const check = data ?? null;
  const status = check?.status ?? 'unknown';
  const found = check?.found ?? [];

  const button = canCheck && (
    <ActionButton action={checkDnsAction} hidden={{ id: domainId }} label="Check nameservers now">
      Check now
    </ActionButton>
  );

  if (compact) {
    return (
      <span className="inline-flex items-center gap-2" title={found.length ? `Nameservers: ${found.join(', ')}` : undefined} data-dns-status={status}>
        <StatusPill status={status} label={status === 'unknown' ? 'not checked' : undefined} />
        {button}
      </span>
    );
  }
  return (
    <div className="space-y-2" data-dns-status={status}>
      <div className="flex flex-wrap items-center gap-3">
        <StatusPill status={status} label={status === 'unknown' ? 'not checked yet' : undefined} />
        {check?.at && (
          <span className="text-sm text-zinc-600 dark:text-zinc-400">
            checked <Time iso={check.at} format="relative" />
          </span>
        )}
        {button}
      </div>
      {check?.message && <p className="text-sm text-zinc-700 dark:text-zinc-300">{check.message}</p>}
      {found.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label="Nameservers found">
          {found.map((n) => (
            <li key={n} className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
              {n}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
