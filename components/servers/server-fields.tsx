'use client';

import { useState } from 'react';
import type { ServerDto } from '@/lib/servers/schemas';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { useFieldState } from '@/components/ui/form';
import { Select } from '@/components/ui/select';
import { TextareaField } from '@/components/ui/textarea-field';
import { TagInput } from '@/components/ui/tag-input';
import { ShareChoices, type ShareUser } from './share-choices';

/** Every field name below, for ModalForm's fieldNames (errors for others are listed on top). */
export const serverFieldNames = [
  'name', 'host', 'sshPort', 'sshUser', 'authMethod', 'password', 'privateKey', 'passphrase', 'hostKeyFingerprint',
  'glances.url', 'glances.username', 'glances.password', 'monitoringEnabled', 'sharedWith', 'tags', 'shareLevels',
  'nginxLayout.managedDir', 'nginxLayout.mainConfig', 'nginxLayout.command', 'nginxLayout.pidFile', 'nginxLayout.httpPort', 'nginxLayout.httpsPort',
];

const methods = [
  { value: 'key', label: 'Private key' },
  { value: 'password', label: 'Password' },
];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <fieldset className="space-y-4 border-t border-zinc-200 pt-4 dark:border-zinc-800">
      <legend className="pr-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</legend>
      {children}
    </fieldset>
  );
}

/**
 * The add and edit form's fields; `server` given means edit. Secrets are never shown: on edit an
 * empty secret field keeps the stored one. `users` (add only) offers sharing at once.
 */
export function ServerFields({ server, users }: { server?: ServerDto; users?: ShareUser[] }) {
  const { value: echoedMethod } = useFieldState('authMethod');
  const [method, setMethod] = useState<string>((typeof echoedMethod === 'string' && echoedMethod) || server?.authMethod || 'key');
  const layout = server?.nginxLayout;
  const { value: echoedCustom } = useFieldState('customLayout');
  const [custom, setCustom] = useState(echoedCustom !== undefined ? [echoedCustom].flat().includes('on') : Boolean(layout));
  const keep = (has: boolean | undefined) => (server && has ? 'Leave empty to keep the stored one.' : undefined);
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" required autoComplete="off" defaultValue={server?.name} hint="How Gatehouse (and its alerts) call this server." />
        <Field label="Host" name="host" required autoComplete="off" defaultValue={server?.host} hint="IP address or host name." spellCheck={false} />
        <Field label="SSH port" name="sshPort" inputMode="numeric" defaultValue={String(server?.sshPort ?? 22)} />
        <Field label="SSH user" name="sshUser" autoComplete="off" defaultValue={server?.sshUser ?? 'root'} hint="Not root? It needs passwordless sudo." spellCheck={false} />
      </div>
      <TagInput initial={server?.tags ?? []} hint='Group servers to filter the lists and act on them together. Lower-case letters, digits and "-"; Enter or comma adds one.' />
      <Select label="Sign in with" name="authMethod" options={methods} defaultValue={method} onChange={(e) => setMethod(e.target.value)} />
      {method === 'password' ? (
        <Field label="SSH password" name="password" type="password" autoComplete="new-password" required={!server?.hasPassword} optional={Boolean(server?.hasPassword)} hint={keep(server?.hasPassword)} />
      ) : (
        <>
          <TextareaField
            label="Private key"
            name="privateKey"
            rows={5}
            autoComplete="off"
            textClass="font-mono text-xs"
            optional={Boolean(server?.hasPrivateKey)}
            placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
            hint={keep(server?.hasPrivateKey) ?? 'OpenSSH or PEM format. Stored encrypted; never shown again.'}
          />
          <Field label="Key passphrase" name="passphrase" type="password" autoComplete="new-password" optional hint={server?.hasPassphrase ? 'Leave empty to keep it (a new key replaces it).' : 'Only for an encrypted key.'} />
        </>
      )}
      {!server && (
        <Field
          label="Host key fingerprint"
          name="hostKeyFingerprint"
          optional
          autoComplete="off"
          spellCheck={false}
          placeholder="SHA256:…"
          hint="Pin the key now (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the server). Left empty, the first connection pins it."
        />
      )}

      <Section title="Monitoring (Glances)">
        <Field label="Glances URL" name="glances.url" optional autoComplete="off" spellCheck={false} defaultValue={server?.glances.url ?? ''} placeholder="http://10.0.0.5:61208" hint="Empty until you set it or Install Glances sets it." />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Glances user" name="glances.username" optional autoComplete="off" defaultValue={server?.glances.username ?? ''} />
          <Field label="Glances password" name="glances.password" type="password" optional autoComplete="new-password" hint={keep(server?.glances.hasPassword)} />
        </div>
        <Checkbox label="Monitor this server" name="monitoringEnabled" defaultChecked={server?.monitoringEnabled ?? true} hint="Poll its Glances for status, metrics and alerts." />
      </Section>

      {users && users.length > 0 && (
        <Section title="Sharing">
          <ShareChoices users={users} selected={server?.shares ?? []} />
        </Section>
      )}

      <Section title="Nginx layout">
        <Checkbox
          label="Nginx is not where the distro puts it"
          name="customLayout"
          defaultChecked={custom}
          onChange={(e) => setCustom(e.target.checked)}
          hint="Defaults: /etc/nginx/nginx.conf, managed files in /etc/nginx/gatehouse, nginx on the PATH, ports 80 and 443."
        />
        {custom && (
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Managed directory" name="nginxLayout.managedDir" spellCheck={false} defaultValue={layout?.managedDir ?? '/etc/nginx/gatehouse'} />
            <Field label="Main config" name="nginxLayout.mainConfig" spellCheck={false} defaultValue={layout?.mainConfig ?? '/etc/nginx/nginx.conf'} />
            <Field label="Command" name="nginxLayout.command" spellCheck={false} defaultValue={layout?.command ?? 'nginx'} hint="e.g. /opt/nginx/sbin/nginx -p /opt/nginx/" />
            <Field label="PID file" name="nginxLayout.pidFile" optional spellCheck={false} defaultValue={layout?.pidFile ?? ''} hint="Tells whether this Nginx runs." />
            <Field label="HTTP port" name="nginxLayout.httpPort" inputMode="numeric" defaultValue={String(layout?.httpPort ?? 80)} />
            <Field label="HTTPS port" name="nginxLayout.httpsPort" inputMode="numeric" defaultValue={String(layout?.httpsPort ?? 443)} />
          </div>
        )}
      </Section>
    </>
  );
}
