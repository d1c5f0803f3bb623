'use client';

import type { UpstreamDto } from '@/lib/proxy/dto';
import { TargetHealth } from '@/components/monitoring/target-health';
import { Card } from '@/components/ui/card';
import { describeCheck } from './upstream-health';

/** An upstream's targets with their live health (and, for admins, "Check targets now"). */
export function UpstreamTargets({ upstream, canCheck }: { upstream: UpstreamDto; canCheck: boolean }) {
  const targets = upstream.targets.map((t) => ({ id: t.id, host: t.host, port: t.port, healthStatus: t.health.status, healthCheckedAt: t.health.checkedAt, healthError: t.health.error }));
  return (
    <Card title="Targets and health" description={describeCheck(upstream.healthCheck, canCheck)}>
      <TargetHealth upstreamId={upstream.id} targets={targets} canCheck={canCheck} />
    </Card>
  );
}
