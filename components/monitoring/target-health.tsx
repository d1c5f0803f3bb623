'use client';

import { useState } from 'react';
import type { UpstreamCheckDto } from '@/lib/monitoring/schemas';
import { StatusPill } from '@/components/ui/badge';
import { HiddenFields, SubmitButton } from '@/components/ui/form';
import { Time } from '@/components/ui/time';
import { useToastedAction } from '@/components/ui/use-toasted-action';
import { useEvents } from '@/components/realtime/use-events';
import { checkUpstreamAction } from './actions';

export interface TargetHealthItem {
  id: string;
  host: string;
  port: number;
  healthStatus: 'unknown' | 'up' | 'down';
  healthCheckedAt: string | null;
  healthError: string | null;
}

/**
 * The health of each target of an upstream, live through `upstream.target` events, with a
 * "Check now" button for admins. For the upstream page (proxy feature).
 */
export function TargetHealth({ upstreamId, targets, canCheck }: { upstreamId: string; targets: TargetHealthItem[]; canCheck?: boolean }) {
  const [items, setItems] = useState(targets);
  const patch = (id: string, p: Partial<TargetHealthItem>) => setItems((cur) => cur.map((t) => (t.id === id ? { ...t, ...p } : t)));

  useEvents(['upstream.target'], (d) => {
    if (d.upstreamId !== upstreamId) return;
    patch(String(d.targetId), { healthStatus: d.status as TargetHealthItem['healthStatus'], healthError: (d.error as string | null) ?? null, healthCheckedAt: new Date().toISOString() });
  });

  const [, dispatch] = useToastedAction(checkUpstreamAction, {
    toastErrors: true,
    onSuccess: (state) => {
      for (const t of (state.data as UpstreamCheckDto).targets) patch(t.id, { healthStatus: t.status, healthError: t.error, healthCheckedAt: t.checkedAt });
    },
  });

  return (
    <div className="space-y-3">
      <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {items.map((t) => (
          <li key={t.id} className="flex flex-wrap items-center justify-between gap-2 py-2" data-target-id={t.id} data-health={t.healthStatus}>
            <span className="font-mono text-sm">
              {t.host}:{t.port}
            </span>
            <span className="flex items-center gap-3 text-sm text-zinc-600 dark:text-zinc-400">
              {t.healthError && t.healthStatus === 'down' && <span>{t.healthError}</span>}
              {t.healthCheckedAt && <Time iso={t.healthCheckedAt} format="relative" />}
              <StatusPill status={t.healthStatus} label={t.healthStatus === 'unknown' ? 'not checked' : undefined} />
            </span>
          </li>
        ))}
      </ul>
      {canCheck && (
        <form action={dispatch}>
          <HiddenFields values={{ id: upstreamId }} />
          <SubmitButton variant="secondary" size="sm">
            Check targets now
          </SubmitButton>
        </form>
      )}
    </div>
  );
}
