'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { updateSettings } from '@/lib/settings/service';
import { monitoringPatch, retentionPatch, securityPatch } from '@/lib/settings/schemas';

const options = { admin: true, revalidate: '/settings' };

export const saveMonitoringAction = formAction(
  monitoringPatch,
  async (data, actor) => {
    await updateSettings(actor, { monitoring: data });
    return 'Saved the monitoring settings. The next poll uses them.';
  },
  options,
);

export const saveRetentionAction = formAction(
  retentionPatch,
  async (data, actor) => {
    await updateSettings(actor, { retention: data });
    return 'Saved the retention settings. Older data is removed at the next clean-up (every 5 minutes).';
  },
  options,
);

export const saveDnsAction = formAction(
  z.object({ dns: z.object({ servers: z.string().max(2000) }) }),
  async ({ dns }, actor) => {
    await updateSettings(actor, { dns: { servers: dns.servers.split(/[\s,]+/).filter(Boolean) } });
    return 'Saved the DNS resolvers.';
  },
  // One field for the whole list: lib's `dns.servers.<index>` errors all land beside it.
  { ...options, fields: { servers: 'dns.servers' } },
);

export const saveSecurityAction = formAction(
  securityPatch,
  async (data, actor) => {
    await updateSettings(actor, { security: data }, { fromForm: true });
    return data.require2fa
      ? 'Saved. Everyone who signs in with a password now sets up two-factor sign-in first.'
      : 'Saved. Two-factor sign-in is now up to each user.';
  },
  options,
);
