'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { ValidationError } from '@/lib/errors';
import { updateSettings } from '@/lib/settings/service';
import { monitoringPatch, retentionPatch } from '@/lib/settings/schemas';

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
  z.object({ servers: z.string().max(2000) }),
  async ({ servers }, actor) => {
    const list = servers.split(/[\s,]+/).filter(Boolean);
    try {
      await updateSettings(actor, { dns: { servers: list } });
    } catch (err) {
      // lib names the field `dns.servers.<index>`; the form has one field for the whole list.
      if (err instanceof ValidationError) throw new ValidationError({ servers: Object.values(err.fields ?? {}).flat() });
      throw err;
    }
    return 'Saved the DNS resolvers.';
  },
  options,
);
