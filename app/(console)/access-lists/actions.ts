'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { accessListForm, accessListInputFromForm } from '@/lib/proxy/forms';
import { createAccessList, deleteAccessList, getAccessList, updateAccessList } from '@/lib/proxy/access-lists';

const byId = z.object({ id: z.string().min(1) });
const options = { admin: true, revalidate: '/access-lists' };

export const createAccessListAction = formAction(
  accessListForm,
  async (f, actor) => {
    const a = await createAccessList(actor, accessListInputFromForm(f));
    return `Created ${a.name}. Attach it to a domain or a location to use it.`;
  },
  options,
);

export const updateAccessListAction = formAction(
  accessListForm.extend(byId.shape),
  async ({ id, ...f }, actor) => {
    const a = await updateAccessList(actor, id, accessListInputFromForm(f));
    return a.domainCount ? `Saved ${a.name}. Its ${a.domainCount} domain(s) are pending until the next deploy.` : `Saved ${a.name}.`;
  },
  options,
);

export const deleteAccessListAction = formAction(
  byId,
  async ({ id }, actor) => {
    const a = await getAccessList(actor, id);
    await deleteAccessList(actor, id);
    return `Deleted ${a.name}.`;
  },
  options,
);
