'use server';

import { z } from 'zod';
import { ServerUnreachableError } from '@/lib/errors';
import { formAction } from '@/lib/http/action';
import { createDomain, deleteDomain, getDomain, updateDomain } from '@/lib/proxy/domains';
import { enqueueDomainDeploy, enqueueServerDeploy } from '@/lib/proxy/deploy';
import { getServerDrift } from '@/lib/proxy/drift';
import { domainForm, domainInputFromForm, foldListErrors, splitList, type DomainForm } from '@/lib/proxy/forms';

const byId = z.object({ id: z.string().min(1) });
const byServer = z.object({ serverId: z.string().min(1) });
// Admins and operators of the domain's server: lib/proxy checks which (403 otherwise).
const options = { revalidate: ['/domains'] };

const lists = (f: DomainForm) => ({ aliases: splitList(f.aliases), 'nameservers.expected': splitList(f['nameservers.expected']) });
const LISTS = ['aliases', 'nameservers.expected'];

export const createDomainAction = formAction(
  domainForm,
  async (f, actor) => {
    try {
      const d = await createDomain(actor, domainInputFromForm(f));
      return `Added ${d.fqdn}. Deploy it to put it live.`;
    } catch (err) {
      throw foldListErrors(err, LISTS, lists(f));
    }
  },
  options,
);

export const updateDomainAction = formAction(
  domainForm.extend(byId.shape),
  async ({ id, ...f }, actor) => {
    try {
      const d = await updateDomain(actor, id, domainInputFromForm(f));
      return `Saved ${d.fqdn}. It is pending until the next deploy.`;
    } catch (err) {
      throw foldListErrors(err, LISTS, lists(f));
    }
  },
  { ...options, revalidate: ['/domains', '/domains/[id]'] },
);

export const deleteDomainAction = formAction(
  byId,
  async ({ id }, actor) => {
    const d = await getDomain(actor, id);
    await deleteDomain(actor, id);
    return `Deleted ${d.fqdn}. Its file leaves the server at the next deploy.`;
  },
  options,
);

export const deployDomainAction = formAction(byId, async ({ id }, actor) => {
  const { taskId } = await enqueueDomainDeploy(actor, id);
  return { message: 'Deploy started.', data: { taskId } };
});

export const deployServerAction = formAction(byServer, async ({ serverId }, actor) => {
  const { taskId } = await enqueueServerDeploy(actor, serverId);
  return { message: 'Deploy started.', data: { taskId } };
});

/** Compares the files on the server with the manifest (over SSH); read-only, any visible user. */
export const checkDriftAction = formAction(byServer, async ({ serverId }, actor) => {
  const report = await getServerDrift(actor, serverId);
  // The form shows an unreachable server as its error message, like any failed check.
  if (report.state === 'unreachable') throw new ServerUnreachableError(report.error, report.reason, report.reason === 'timeout');
  return { message: report.drifted ? 'Files on the server differ from what was deployed.' : 'The server has exactly what was deployed.', data: report };
});
