import type { Metadata } from 'next';
import Link from 'next/link';
import { requireActor } from '@/lib/auth/session';
import { listAlerts } from '@/lib/alerts/store';
import { outboxSummary, telegramTarget } from '@/lib/alerts/outbox';
import { AlertsTabs } from '@/components/alerts/alerts-tabs';
import { IncidentTable } from '@/components/alerts/incident-table';
import { Card } from '@/components/ui/card';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Alerts' };
export const dynamic = 'force-dynamic';

export default async function AlertsPage() {
  const actor = await requireActor();
  const [firing, resolved] = await Promise.all([
    listAlerts(actor, { state: 'firing', limit: 100 }),
    listAlerts(actor, { state: 'resolved', limit: 100 }),
  ]);
  const admin = actor.role === 'admin';
  const channel = admin ? await telegramTarget() : null;
  const outbox = admin ? await outboxSummary() : null;
  const waiting = outbox ? (outbox.counts.pending ?? 0) + (outbox.counts.sending ?? 0) : 0;
  return (
    <>
      <PageHeader
        title="Alerts"
        description={
          admin
            ? 'Incidents open when a rule’s condition has held for its duration and close once it has stayed clear; each sends one message to Telegram.'
            : 'Incidents on the servers shared with you.'
        }
      />
      <AlertsTabs current="incidents" />
      <div className="space-y-6">
        {channel && !channel.target && (
          <Notice tone="warning" title="No messages are being sent">
            {channel.reason} Incidents are still recorded here.{' '}
            <Link href="/settings#telegram" className="font-medium underline">
              Set up Telegram
            </Link>
          </Notice>
        )}
        {channel?.target && outbox?.lastError && waiting > 0 && (
          <Notice tone="warning" title={`${waiting} message${waiting === 1 ? '' : 's'} waiting for Telegram`}>
            Last problem: {outbox.lastError}. They are retried with backoff and none is lost.
          </Notice>
        )}
        <Card title="Open incidents" flush>
          <IncidentTable state="firing" initial={firing} caption="Open incidents" />
        </Card>
        <Card title="Past incidents" description="The latest 100 resolved incidents, newest first." flush>
          <IncidentTable state="resolved" initial={resolved} caption="Past incidents" />
        </Card>
      </div>
    </>
  );
}
