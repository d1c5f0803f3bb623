import { LinkTabs } from '@/components/ui/link-tabs';

/** The server page's sections as tabs; the metrics page shows them too, with `current="metrics"`. */
export function ServerTabs({ id, current }: { id: string; current: 'overview' | 'metrics' }) {
  const tabs = [
    { key: 'overview', label: 'Overview', href: `/servers/${id}` },
    { key: 'metrics', label: 'Metrics', href: `/servers/${id}/metrics` },
  ];
  return <LinkTabs label="Server sections" tabs={tabs} current={current} />;
}
