import type { Metadata } from 'next';
import { getSettings } from '@/lib/settings/service';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { SettingsForm } from '@/components/monitoring/settings-form';
import { TextareaField } from '@/components/ui/textarea-field';
import { TelegramSettings } from '@/components/alerts/telegram-settings';
import { AcmeSettings } from '@/components/certs/acme-settings';
import { requireAdminPage } from '../require-admin';
import { saveDnsAction, saveMonitoringAction, saveRetentionAction, saveSecurityAction } from './actions';
import { Checkbox } from '@/components/ui/checkbox';

export const metadata: Metadata = { title: 'Settings' };
export const dynamic = 'force-dynamic';

const grid = 'grid gap-4 sm:grid-cols-2';

export default async function SettingsPage() {
  const actor = await requireAdminPage();
  const settings = await getSettings(actor);
  const m = settings.monitoring;
  const r = settings.retention;
  const dnsPinned = settings.readOnly.includes('dns.servers');
  return (
    <>
      <PageHeader title="Settings" description="How Gatehouse watches your servers and how long it keeps what it sees. Values set by environment variables are shown read-only." />
      <div className="space-y-6">
        <Card title="Monitoring" description="How often every server's Glances is polled, and how many polls in a row turn a server down or up again.">
          <SettingsForm action={saveMonitoringAction} fieldNames={['intervalSeconds', 'downAfterFailures', 'upAfterSuccesses', 'dnsIntervalMinutes']}>
            <div className={grid}>
              <Field label="Poll every (seconds)" name="intervalSeconds" type="number" min={10} max={3600} defaultValue={m.intervalSeconds} hint="10 to 3600. Polls are spread across the interval." />
              <Field label="Check nameservers every (minutes)" name="dnsIntervalMinutes" type="number" min={5} max={1440} defaultValue={m.dnsIntervalMinutes} hint="5 to 1440, for every domain." />
              <Field label="Down after (failed polls in a row)" name="downAfterFailures" type="number" min={1} max={20} defaultValue={m.downAfterFailures} hint="One lost poll should not page anyone." />
              <Field label="Up again after (good polls in a row)" name="upAfterSuccesses" type="number" min={1} max={20} defaultValue={m.upAfterSuccesses} hint="Keeps a flapping server from opening and closing alerts." />
            </div>
          </SettingsForm>
        </Card>

        <Card title="History" description="Raw samples are kept briefly, then averaged into 5-minute and hourly points, so storage stays small.">
          <SettingsForm action={saveRetentionAction} fieldNames={['rawHours', 'fiveMinuteDays', 'hourlyDays', 'dnsCheckDays', 'taskDays']}>
            <div className={grid}>
              <Field label="Raw samples (hours)" name="rawHours" type="number" min={1} max={168} defaultValue={r.rawHours} hint="1 to 168." />
              <Field label="5-minute averages (days)" name="fiveMinuteDays" type="number" min={1} max={90} defaultValue={r.fiveMinuteDays} hint="1 to 90." />
              <Field label="Hourly averages (days)" name="hourlyDays" type="number" min={7} max={1825} defaultValue={r.hourlyDays} hint="7 to 1825." />
              <Field label="Nameserver check history (days)" name="dnsCheckDays" type="number" min={1} max={365} defaultValue={r.dnsCheckDays} hint="1 to 365." />
              <Field label="Finished tasks and their logs (days)" name="taskDays" type="number" min={1} max={365} defaultValue={r.taskDays} hint="1 to 365." />
            </div>
          </SettingsForm>
        </Card>

        <Card title="DNS resolvers" description="The servers asked for each domain's nameservers. Every one is asked; a domain whose answer differs from what you expect is a mismatch.">
          {dnsPinned ? (
            <TextareaField label="Resolvers" textClass="font-mono" name="servers" disabled defaultValue={settings.dns.servers.join('\n')} hint="Set by the DNS_SERVERS environment variable; change it there." />
          ) : (
            <SettingsForm action={saveDnsAction} fieldNames={['servers']}>
              <TextareaField label="Resolvers" textClass="font-mono" name="servers" defaultValue={settings.dns.servers.join('\n')} hint="IP addresses, optionally with :port, one per line or comma-separated (e.g. 8.8.8.8, 1.1.1.1)." />
            </SettingsForm>
          )}
        </Card>

        <Card title="Sign-in security" description="Two-factor sign-in asks for a code from an authenticator app as well as the password. API tokens are not affected.">
          <SettingsForm action={saveSecurityAction} fieldNames={['require2fa']}>
            <Checkbox
              label="Require two-factor sign-in for everyone"
              name="require2fa"
              defaultChecked={settings.security.require2fa}
              hint="Anyone signed in with a password but without it (you included) is taken to set it up before anything else. An admin can reset it per user on the Users page."
            />
          </SettingsForm>
        </Card>

        <TelegramSettings telegram={settings.telegram} readOnly={settings.readOnly} />

        <AcmeSettings acme={settings.acme} readOnly={settings.readOnly} />
      </div>
    </>
  );
}
