import type { Metadata } from 'next';
import Link from 'next/link';
import { proxyChoices } from '@/lib/proxy/console-data';
import { acmeConfigured } from '@/lib/certs/proxy-site';
import { certificateChoices } from '@/lib/certs/service';
import { Breadcrumb } from '@/components/ui/breadcrumb';
import { Notice } from '@/components/ui/notice';
import { PageHeader } from '@/components/ui/page-header';
import { ProxySiteForm } from '@/components/proxy/proxy-site-form';
import { requireAdminPage } from '../../require-admin';
import { proxySiteAction } from './actions';

export const metadata: Metadata = { title: 'Proxy a site' };

export default async function ProxySitePage() {
  const actor = await requireAdminPage();
  const [choices, certificates, acme] = await Promise.all([proxyChoices(actor), certificateChoices(actor), acmeConfigured()]);
  return (
    <>
      <Breadcrumb trail={[{ href: '/domains', label: 'Domains' }, { label: 'Proxy a site' }]} />
      <PageHeader title="Proxy a site" description="A domain name, where its traffic goes and a certificate: Gatehouse creates the pool and the domain and deploys them to the server's Nginx." />
      {choices.servers.length === 0 ? (
        <Notice tone="info" title="Add a server first">
          The site is served by a server&rsquo;s Nginx. <Link href="/servers" className="font-medium underline">Add a server</Link>, test its connection, then come back.
        </Notice>
      ) : (
        <ProxySiteForm action={proxySiteAction} servers={choices.servers} upstreams={choices.upstreams} certificates={certificates} acme={acme} />
      )}
    </>
  );
}
