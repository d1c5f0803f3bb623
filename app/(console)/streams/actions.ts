'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { streamForm, streamInputFromForm } from '@/lib/proxy/stream-forms';
import { createStream, deleteStream, getStream, updateStream } from '@/lib/proxy/streams';
import { enqueueStreamDeploy } from '@/lib/proxy/stream-deploy';

const byId = z.object({ id: z.string().min(1) });
const options = { admin: true, revalidate: '/streams' };

export const createStreamAction = formAction(
  streamForm,
  async (f, actor) => {
    const s = await createStream(actor, streamInputFromForm(f));
    return `Added ${s.protocol.toUpperCase()} port ${s.listenPort}. Deploy it to put it live.`;
  },
  options,
);

export const updateStreamAction = formAction(
  streamForm.extend(byId.shape),
  async ({ id, ...f }, actor) => {
    const s = await updateStream(actor, id, streamInputFromForm(f));
    return `Saved ${s.protocol.toUpperCase()} port ${s.listenPort}. It is pending until the next deploy.`;
  },
  options,
);

export const deleteStreamAction = formAction(
  byId,
  async ({ id }, actor) => {
    const s = await getStream(actor, id);
    await deleteStream(actor, id);
    return `Deleted ${s.protocol.toUpperCase()} port ${s.listenPort}. It leaves the server at the next deploy of its streams.`;
  },
  options,
);

export const deployStreamAction = formAction(byId, async ({ id }, actor) => {
  const { taskId } = await enqueueStreamDeploy(actor, id);
  return { message: 'Deploy started.', data: { taskId } };
}, { admin: true });
