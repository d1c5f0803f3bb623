import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listFleet } from '@/lib/monitoring/fleet';
import { listFleetUptime } from '@/lib/monitoring/uptime';
import type { FleetItem } from '@/lib/monitoring/schemas';
import { PageHeader } from '@/components/ui/page-header';
import { FleetGrid } from '@/components/dashboard/fleet-grid';
import { UptimeSection } from '@/components/dashboard/uptime-section';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  const actor = await requireActor();
  // The first page is rendered with the HTML; the grid then stays live through the event stream.
  const items: FleetItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFleet(actor, { limit: 500, cursor });
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
      <FleetGrid initial={items} admin={actor.role === 'admin'} />
      <UptimeSection initial={uptime.items} names={Object.fromEntries(items.map((s) => [s.id, s.name]))} />
    </>
  );
}
