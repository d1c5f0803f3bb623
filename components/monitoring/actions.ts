'use server';

import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import { checkDomainDns } from '@/lib/monitoring/dns-service';
import { checkUpstreamNow } from '@/lib/monitoring/upstream-health';

const byId = z.object({ id: z.string().min(1).max(100) });

/** "Check now" on a domain's nameservers (admins and operators of its server, checked in lib; the result also arrives as `domain.updated`). */
export const checkDnsAction = formAction(byId, async ({ id }, actor) => {
  const r = await checkDomainDns(actor, id);
  const text = { ok: 'Nameservers are as expected.', mismatch: 'Nameservers differ from the expected ones.', error: 'No DNS server answered.' }[r.status];
  return { message: text, data: r };
});

/** "Check now" on an upstream's targets (admins); answers the per-target results. */
export const checkUpstreamAction = formAction(
  byId,
  async ({ id }, actor) => {
    const r = await checkUpstreamNow(actor, id);
    const down = r.targets.filter((t) => t.status === 'down').length;
    return { message: down ? `${down} of ${r.targets.length} targets are down.` : `All ${r.targets.length} targets are up.`, data: r };
  },
  { admin: true },
);
