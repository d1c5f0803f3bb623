'use client';

import type { ServerDto } from '@/lib/servers/schemas';
import { Field } from '@/components/ui/field';
import { ModalForm } from '@/components/ui/modal-form';
import { installGlancesAction } from '@/app/(console)/servers/actions';

const isIp = (host: string) => /^[0-9.]+$/.test(host) || host.includes(':');

/** Glances' API has no password: it must listen on an address the admin chose on purpose. */
export function InstallGlancesButton({ server, size = 'sm' }: { server: ServerDto; size?: 'sm' | 'md' }) {
  return (
    <ModalForm
      action={installGlancesAction}
      title="Install Glances"
      description="Installs Glances and runs its web API as a service, then sets the Glances URL if none is set. Running it again changes nothing."
      trigger="Install Glances"
      triggerSize={size}
      submitLabel="Install"
      hidden={{ id: server.id }}
      fieldNames={['bind', 'port']}
    >
      <Field
        label="Listen on"
        name="bind"
        defaultValue={isIp(server.host) ? server.host : ''}
        required={!isIp(server.host)}
        spellCheck={false}
        hint="An IP address of this server that Gatehouse can reach. The Glances API has no password: prefer a private address, and avoid 0.0.0.0."
      />
      <Field label="Port" name="port" inputMode="numeric" defaultValue="61208" />
    </ModalForm>
  );
}
