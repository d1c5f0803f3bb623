'use server';

import { formAction } from '@/lib/http/action';
import { proxySite, proxySiteInput } from '@/lib/certs/proxy-site';

/** "Proxy a site": one submit; lib/certs/proxy-site.ts strings the existing commands together. */
export const proxySiteAction = formAction(
  proxySiteInput,
  async (input, actor) => {
    const r = await proxySite(actor, input);
    return { message: 'Created. Putting it live…', data: r };
  },
  { admin: true, revalidate: ['/domains', '/upstreams'] },
);
