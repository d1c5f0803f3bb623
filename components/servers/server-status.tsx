import type { ServerDto } from '@/lib/servers/schemas';
import { Badge, StatusPill } from '@/components/ui/badge';

/** Monitoring status: up/down from Glances, or why there is none. */
export function MonitorStatus({ server }: { server: Pick<ServerDto, 'status' | 'monitoringEnabled' | 'glances'> }) {
  if (!server.monitoringEnabled) return <StatusPill status="none" label="not monitored" />;
  if (!server.glances.url) return <StatusPill status="unknown" label="no Glances" />;
  return <StatusPill status={server.status} />;
}

const nginxLabels: Record<ServerDto['nginx']['status'], string> = {
  unknown: 'not checked',
  missing: 'not installed',
  installed: 'stopped',
  running: 'running',
};

export function NginxStatus({ nginx }: { nginx: ServerDto['nginx'] }) {
  const tone = nginx.status === 'installed' ? 'down' : nginx.status;
  return (
    <span className="inline-flex items-center gap-2">
      <StatusPill status={tone} label={nginxLabels[nginx.status]} />
      {nginx.version && <span className="text-xs text-zinc-500 dark:text-zinc-400">{nginx.version}</span>}
    </span>
  );
}

/** Shown wherever the server appears while a changed host key is waiting for an admin. */
export function HostKeyWarning({ server }: { server: Pick<ServerDto, 'offeredHostKeyFingerprint'> }) {
  if (!server.offeredHostKeyFingerprint) return null;
  return <Badge tone="red">host key changed</Badge>;
}
