import { LinkTabs } from '@/components/ui/link-tabs';

const tabs = [
  { key: 'incidents', label: 'Incidents', href: '/alerts' },
  { key: 'rules', label: 'Rules', href: '/alerts/rules' },
  { key: 'silences', label: 'Silences', href: '/alerts/silences' },
] as const;

/** The alerting pages as tabs. */
export function AlertsTabs({ current }: { current: (typeof tabs)[number]['key'] }) {
  return <LinkTabs label="Alerting sections" tabs={tabs} current={current} />;
}
