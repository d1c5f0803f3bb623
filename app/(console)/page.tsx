import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listFleet } from '@/lib/monitoring/fleet';
import type { FleetItem } from '@/lib/monitoring/schemas';
import { PageHeader } from '@/components/ui/page-header';
import { FleetGrid } from '@/components/dashboard/fleet-grid';
import { FleetHistory } from '@/components/dashboard/fleet-history';
import { getFleetHistory } from '@/lib/monitoring/fleet-history';
import { FLEET_WINDOWS, type FleetWindow } from '@/lib/monitoring/schemas';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ window?: string }> }) {
  const actor = await requireActor();
  const asked = (await searchParams).window;
  const window: FleetWindow = FLEET_WINDOWS.includes(asked as FleetWindow) ? (asked as FleetWindow) : '24h';
  const history = await getFleetHistory(actor, { window, limit: 10 });
  // The first page is rendered with the HTML; the grid then stays live through the event stream.
  const items: FleetItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFleet(actor, { limit: 500, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={actor.role === 'admin' ? 'Every server, live from Glances.' : 'The servers shared with you, live from Glances.'}
      />
      <FleetGrid initial={items} admin={actor.role === 'admin'} />
      <div className="mt-8">
        <FleetHistory history={history} />
      </div>
    </>
  );
}
