import type { Metadata } from 'next';
import { config } from '@/lib/config';
import { instanceRows } from '@/lib/system/instances';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Badge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { EmptyState } from '@/components/ui/empty-state';
import { requireAdminPage } from '../require-admin';

export const metadata: Metadata = { title: 'Instances' };
export const dynamic = 'force-dynamic';

export default async function InstancesPage() {
  await requireAdminPage();
  const rows = await instanceRows();
  const { dialect, INSTANCE_ID: me } = config();
  const live = rows.filter((r) => !r.gone);
  const total = live.reduce((n, r) => n + r.polling, 0);
  return (
    <>
      <PageHeader
        title="Instances"
        description={
          dialect === 'postgres'
            ? `The Gatehouse processes sharing this PostgreSQL database. Each with SCHEDULER=on polls a share of the servers; the leader runs the singleton jobs. ${live.length} live, polling ${total} servers.`
            : 'On SQLite one instance does everything. Several instances need PostgreSQL.'
        }
      />
      {rows.length === 0 ? (
        <EmptyState title="No instance has reported yet" description="Each instance writes its row a few seconds after it starts." />
      ) : (
        <Table caption="Instances">
          <THead>
            <Th>Instance</Th>
            <Th>State</Th>
            <Th>Polling</Th>
            <Th>Started</Th>
            <Th>Last seen</Th>
          </THead>
          <TBody>
            {rows.map((r) => (
              <Tr key={r.id} className={r.gone ? 'opacity-60' : undefined}>
                <Td primary>
                  <span className="font-mono">{r.id}</span>
                  {r.id === me && <span className="ml-2 text-xs text-zinc-600 dark:text-zinc-400">(this page)</span>}
                </Td>
                <Td>
                  <span className="flex gap-1.5">
                    {r.gone ? <Badge tone="neutral">gone</Badge> : <Badge tone="green" dot>live</Badge>}
                    {r.leader && <Badge tone="violet">leader</Badge>}
                  </span>
                </Td>
                <Td>
                  {r.polling} {r.polling === 1 ? 'server' : 'servers'}
                  {total > 0 && !r.gone && <span className="ml-1 text-xs text-zinc-600 dark:text-zinc-400">({Math.round((100 * r.polling) / total)} %)</span>}
                </Td>
                <Td>
                  <Time iso={r.startedAt} />
                </Td>
                <Td>
                  <Time iso={r.lastSeenAt} format="relative" />
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
