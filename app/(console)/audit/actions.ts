'use server';

import { z } from 'zod';
import { requireAdminActor } from '@/lib/auth/session';
import { auditListParams, listAudit, type AuditEntry } from '@/lib/audit';
import type { Page } from '@/lib/pagination';
import { AppError } from '@/lib/errors';

export type AuditPageResult = { ok: true; page: Page<AuditEntry> } | { ok: false; message: string };

const cursorInput = z.string().min(1).max(100);

/** The next page of the audit log after `cursor` (older entries). Admin only, checked here. */
export async function loadMoreAudit(cursor: string, filter: { action?: string; type?: string; user?: string } = {}): Promise<AuditPageResult> {
  const actor = await requireAdminActor().catch((err) => {
    if (err instanceof AppError) return null;
    throw err;
  });
  if (!actor) return { ok: false, message: 'Only an admin can see the audit log.' };
  const parsed = cursorInput.safeParse(cursor);
  const f = auditListParams.safeParse({ ...filter });
  if (!parsed.success || !f.success) return { ok: false, message: 'That page does not exist.' };
  try {
    return { ok: true, page: await listAudit(actor, { limit: 50, cursor: parsed.data, action: f.data.action, type: f.data.type, user: f.data.user }) };
  } catch (err) {
    console.error('[gatehouse] loading the audit log failed:', err);
    return { ok: false, message: 'Could not load more entries. Try again.' };
  }
}
