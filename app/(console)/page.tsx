import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const actor = await requireActor();
  const admin = actor.role === 'admin';
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={
          <>
            Signed in as {actor.name || actor.email}{' '}
            <Badge tone={admin ? 'violet' : 'neutral'}>{actor.role}</Badge>
          </>
        }
      />
      <div className="space-y-6">
        <EmptyState
          icon="server"
          title="No servers yet"
          description={
            admin
              ? 'Add servers to see them here: their status, Nginx and live metrics will show on this page.'
              : 'Servers an admin shares with you will show here, with their status and live metrics.'
          }
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Card title="Your account" description="Change your password and manage API tokens for scripts and the CLI.">
            <Link href="/account" className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-400">
              Go to account →
            </Link>
          </Card>
          {admin && (
            <Card title="People and history" description="Invite users, set who is an admin, and see who changed what.">
              <div className="flex gap-4 text-sm font-medium">
                <Link href="/users" className="text-indigo-700 hover:underline dark:text-indigo-400">
                  Users →
                </Link>
                <Link href="/audit" className="text-indigo-700 hover:underline dark:text-indigo-400">
                  Audit log →
                </Link>
              </div>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
