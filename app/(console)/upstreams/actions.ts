'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { upstreamForm, upstreamInputFromForm } from '@/lib/proxy/forms';
import { createUpstream, deleteUpstream, getUpstream, updateUpstream } from '@/lib/proxy/upstreams';
import { plural } from '@/lib/errors';

const byId = z.object({ id: z.string().min(1) });
const options = { admin: true, revalidate: '/upstreams' };

export const createUpstreamAction = formAction(
  upstreamForm,
  async (f, actor) => {
    const u = await createUpstream(actor, upstreamInputFromForm(f));
    return `Created ${u.name} with ${u.targets.length} target${u.targets.length === 1 ? '' : 's'}.`;
  },
  options,
);

export const updateUpstreamAction = formAction(
  upstreamForm.extend(byId.shape),
  async ({ id, ...f }, actor) => {
    const u = await updateUpstream(actor, id, upstreamInputFromForm(f));
    return u.domainCount ? `Saved ${u.name}. Its ${plural(u.domainCount, 'domain')} ${u.domainCount === 1 ? 'is' : 'are'} pending until the next deploy.` : `Saved ${u.name}.`;
  },
  options,
);

export const deleteUpstreamAction = formAction(
  byId,
  async ({ id }, actor) => {
    const u = await getUpstream(actor, id);
    await deleteUpstream(actor, id);
    return `Deleted ${u.name}.`;
  },
  options,
);
