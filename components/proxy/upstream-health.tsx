'use client';

import { useState } from 'react';
import type { UpstreamDto } from '@/lib/proxy/dto';
import { TargetHealth } from '@/components/monitoring/target-health';
import { Button } from '@/components/ui/button';
import { Modal } from '@/components/ui/modal';

export function describeCheck(check: UpstreamDto['healthCheck'], canCheck: boolean): string {
  if (!check || check.type === 'none') {
    const once = canCheck ? '"Check targets now" probes each target over TCP once' : 'an admin can probe the targets once';
    return `No health check is configured: ${once}. Nothing re-checks them later, so no alert is raised.`;
  }
  const what = check.type === 'http' ? `HTTP GET ${check.path || '/'}` : 'a TCP connection';
  const every = check.intervalSeconds ? `every ${check.intervalSeconds} seconds` : 'on the default interval';
  return `Checked with ${what} ${every}; a target that fails raises the "Upstream target down" alert.`;
}

/**
 * The "Health" button of an upstream row: a dialog with the monitoring feature's live target
 * health widget (and, for admins, its "Check targets now"). The dialog and widget mount when it
 * opens, so the widget starts from the table's latest data.
 */
export function UpstreamHealth({ upstream, canCheck }: { upstream: UpstreamDto; canCheck: boolean }) {
  const [open, setOpen] = useState(false);
  const targets = upstream.targets.map((t) => ({
    id: t.id,
    host: t.host,
    port: t.port,
    healthStatus: t.health.status,
    healthCheckedAt: t.health.checkedAt,
    healthError: t.health.error,
  }));
  return (
    <>
      <Button variant="secondary" size="sm" className="mt-2" onClick={() => setOpen(true)} aria-label={`Target health of ${upstream.name}`}>
        Health
      </Button>
      {/* Mounted only while open: a closed dialog per row would repeat every pool's name in the page. */}
      {open && (
        <Modal open onClose={() => setOpen(false)} title={`Targets of ${upstream.name}`} description={describeCheck(upstream.healthCheck, canCheck)}>
          <TargetHealth upstreamId={upstream.id} targets={targets} canCheck={canCheck} />
        </Modal>
      )}
    </>
  );
}
