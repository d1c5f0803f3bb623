'use client';

import { useRouter } from 'next/navigation';
import { useRefreshOn } from '@/components/tasks/event-stream';

/**
 * Re-renders the current server page when a matching event arrives (e.g. this domain's
 * `domain.updated` after a deploy), so server-rendered views stay live without polling.
 * Without `field`, every event of the types counts.
 */
export function RefreshOn({ types, field, value }: { types: string[]; field?: string; value?: string }) {
  const router = useRouter();
  useRefreshOn(types, (_type, data) => !field || data[field] === value, () => router.refresh(), 500);
  return null;
}
