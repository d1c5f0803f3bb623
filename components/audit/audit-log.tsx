'use client';

import { useState, useTransition } from 'react';
import type { AuditEntry } from '@/lib/audit';
import type { Page } from '@/lib/pagination';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { useToast } from '@/components/ui/toast';

type Filter = { action?: string; type?: string; user?: string };
type LoadMore = (cursor: string, filter?: Filter) => Promise<{ ok: true; page: Page<AuditEntry> } | { ok: false; message: string }>;

/** Newest first; "Load more" appends older entries by cursor. */
export function AuditLog({ initial, loadMore, filter = {}, filtered = false }: { initial: Page<AuditEntry>; loadMore: LoadMore; filter?: Filter; filtered?: boolean }) {
  const [items, setItems] = useState(initial.items);
  const [cursor, setCursor] = useState(initial.nextCursor);
  const [pending, startTransition] = useTransition();
  const toast = useToast();

  if (items.length === 0 && filtered) return <EmptyState icon="audit" title="No entry matches the filter" description="Choose another action, target or user, or clear the filter." />;
  if (items.length === 0) return <EmptyState icon="audit" title="Nothing recorded yet" description="Changes to users, tokens and servers will be listed here." />;

  const more = () =>
    startTransition(async () => {
      if (!cursor) return;
      const r = await loadMore(cursor, filter);
      if (!r.ok) return toast.show(r.message, 'error');
      setItems((prev) => [...prev, ...r.page.items]);
      setCursor(r.page.nextCursor);
    });

  return (
    <>
      <Table caption="Audit log, newest first">
        <THead>
          <Th>Time</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          <Th>Target</Th>
          <Th>Address</Th>
        </THead>
        <TBody>
          {items.map((e) => (
            <Tr key={e.id}>
              <Td>
                <Time iso={e.at} />
              </Td>
              <Td primary>{e.actor.email ?? '—'}</Td>
              <Td>
                <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">{e.action}</code>
              </Td>
              <Td>
                <span className="text-zinc-500 dark:text-zinc-400">{e.target.type.replaceAll('_', ' ')}</span>
                {e.target.label ? (
                  <span className="ml-1 font-medium text-zinc-900 dark:text-zinc-100" title={e.target.id ?? undefined}>
                    {e.target.label}
                  </span>
                ) : (
                  e.target.id && (
                    <span className="ml-1 font-mono text-xs text-zinc-500 dark:text-zinc-400" title={`${e.target.id} (deleted)`}>
                      {e.target.id.slice(-8)}
                    </span>
                  )
                )}
              </Td>
              <Td className="font-mono text-xs">{e.address ?? '—'}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <div className="mt-4 flex items-center justify-between gap-4 text-sm text-zinc-600 dark:text-zinc-400">
        <p aria-live="polite">
          {items.length} {items.length === 1 ? 'entry' : 'entries'}
          {cursor ? '' : ' — that is all'}
        </p>
        {cursor && (
          <Button onClick={more} pending={pending}>
            Load more
          </Button>
        )}
      </div>
    </>
  );
}
