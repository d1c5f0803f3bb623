import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listFleet } from '@/lib/monitoring/fleet';
import { listFleetUptime } from '@/lib/monitoring/uptime';
import type { FleetItem } from '@/lib/monitoring/schemas';
import { PageHeader } from '@/components/ui/page-header';
import { FleetGrid } from '@/components/dashboard/fleet-grid';
import { FleetHistory } from '@/components/dashboard/fleet-history';
import { TagFilter, tagsFromSearch } from '@/components/ui/tag-chips';
import { serverTagsInUse } from '@/lib/servers/store';
import { getFleetHistory } from '@/lib/monitoring/fleet-history';
import { FLEET_WINDOWS, type FleetWindow } from '@/lib/monitoring/schemas';
import { UptimeSection } from '@/components/dashboard/uptime-section';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ window?: string; tag?: string | string[] }> }) {
  const actor = await requireActor();
  const params = await searchParams;
  const asked = params.window;
  // ?tag=a&tag=b narrows the grid and the history to servers carrying every tag (bookmarkable).
  const tags = tagsFromSearch(params.tag).filter((t) => /^[a-z0-9][a-z0-9-]{0,31}$/.test(t));
  const window: FleetWindow = FLEET_WINDOWS.includes(asked as FleetWindow) ? (asked as FleetWindow) : '24h';
  const history = await getFleetHistory(actor, { window, limit: 10, tag: tags });
  const allTags = await serverTagsInUse(actor);
  // The first page is rendered with the HTML; the grid then stays live through the event stream.
  const items: FleetItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFleet(actor, { limit: 500, cursor, tag: tags });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const uptime = await listFleetUptime(actor);
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={actor.role === 'admin' ? 'Every server, live from Glances.' : 'The servers shared with you, live from Glances.'}
      />
      <div className="mb-4">
        <TagFilter all={allTags} active={tags} basePath="/" keep={window === '24h' ? '' : `window=${window}`} />
      </div>
      <FleetGrid initial={items} admin={actor.role === 'admin'} tags={tags} />
      <UptimeSection initial={uptime.items} names={Object.fromEntries(items.map((s) => [s.id, s.name]))} />
      <div className="mt-8">
        <FleetHistory history={history} tags={tags} />
      </div>
    </>
  );
}
