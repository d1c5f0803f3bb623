'use client';

import type { StreamDto } from '@/lib/proxy/streams';
import { Field } from '@/components/ui/field';
import { Select, type SelectOption } from '@/components/ui/select';

export const streamFieldNames = ['serverId', 'protocol', 'listenPort', 'upstreamId'];

const protocols = [
  { value: 'tcp', label: 'TCP' },
  { value: 'udp', label: 'UDP' },
];

/** A stream: which server's port, over which protocol, forwarded to which pool. */
export function StreamFields({ stream, servers, upstreams }: { stream?: StreamDto; servers: SelectOption[]; upstreams: SelectOption[] }) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Select label="Server" name="serverId" defaultValue={stream?.serverId ?? servers[0]?.value} options={servers} />
      <Select label="Protocol" name="protocol" defaultValue={stream?.protocol ?? 'tcp'} options={protocols} />
      <Field label="Listen port" name="listenPort" required defaultValue={stream ? String(stream.listenPort) : undefined} inputMode="numeric" placeholder="5432" hint="Not the server's HTTP or HTTPS port, nor another stream's port for the same protocol." />
      <Select label="Upstream pool" name="upstreamId" defaultValue={stream?.upstreamId ?? upstreams[0]?.value} options={upstreams} hint="Traffic is forwarded to its targets (host:port)." />
    </div>
  );
}
