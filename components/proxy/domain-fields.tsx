'use client';

import { useState } from 'react';
import type { DomainDto } from '@/lib/proxy/dto';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { useFieldState } from '@/components/ui/form';
import { Select } from '@/components/ui/select';
import { TextareaField } from '@/components/ui/textarea-field';

export interface DomainChoices {
  servers: { id: string; name: string }[];
  upstreams: { id: string; name: string }[];
  templates: { id: string; name: string; kind: 'http' | 'ssl' }[];
  certificates: { id: string; label: string }[];
}

/** Names of the fields below, for ModalForm's fieldNames (errors for other names go on top). */
export const domainFieldNames = [
  'fqdn', 'aliases', 'serverId', 'upstreamId', 'templateId', 'ssl.mode', 'ssl.certificateId', 'ssl.forceHttps', 'ssl.hsts', 'ssl.http2',
  'websocket', 'clientMaxBodySize', 'customDirectives', 'nameservers.expected', 'nameservers.pattern', 'logs.access', 'logs.error',
];

const sslModes = [
  { value: 'none', label: 'None (HTTP only)' },
  { value: 'custom', label: 'Custom certificate' },
  { value: 'acme', label: 'ACME (Let\'s Encrypt)' },
];

/** The create and edit form of a domain; `domain` given means edit. Custom directives are admin-only, as is this form. */
export function DomainFields({ domain, choices }: { domain?: DomainDto; choices: DomainChoices }) {
  const echoed = useFieldState('ssl.mode').value;
  const [mode, setMode] = useState(typeof echoed === 'string' ? echoed : (domain?.ssl.mode ?? 'none'));
  const kind = mode === 'none' ? 'http' : 'ssl';
  const templates = [{ value: '', label: 'Built-in (chosen by SSL mode)' }, ...choices.templates.filter((t) => t.kind === kind && !t.id.startsWith('builtin-')).map((t) => ({ value: t.id, label: t.name }))];
  return (
    <>
      <Field label="Domain name" name="fqdn" required defaultValue={domain?.fqdn} placeholder="app.example.com" autoComplete="off" hint="Unicode names are stored as punycode." />
      <TextareaField label="Aliases" name="aliases" optional rows={2} defaultValue={domain?.aliases.join('\n')} placeholder={'www.example.com\n*.example.com'} hint="One per line. A leading *. makes a wildcard." />
      <div className="grid gap-4 sm:grid-cols-2">
        <Select label="Server" name="serverId" defaultValue={domain?.serverId} options={choices.servers.map((s) => ({ value: s.id, label: s.name }))} />
        <Select label="Upstream pool" name="upstreamId" defaultValue={domain?.upstreamId} options={choices.upstreams.map((u) => ({ value: u.id, label: u.name }))} />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Max request body" name="clientMaxBodySize" defaultValue={domain?.clientMaxBodySize ?? '1m'} hint="Larger uploads get 413. E.g. 1m, 512k, 0 for no limit." />
        <Select label="Template" name="templateId" defaultValue={domain?.templateId ?? ''} options={templates} hint={`Your ${kind.toUpperCase()} templates are listed.`} />
      </div>
      <Checkbox label="WebSocket support" name="websocket" defaultChecked={domain?.websocket} hint="Passes Upgrade requests through to the upstream." />
      <div className="grid gap-4 sm:grid-cols-2">
        <Checkbox label="Own access log" name="logs.access" defaultChecked={domain?.logs.access ?? true} hint="gatehouse-<domain>.access.log in the server's log directory; followed live on this page." />
        <Checkbox label="Own error log" name="logs.error" defaultChecked={domain?.logs.error ?? true} hint="gatehouse-<domain>.error.log beside it." />
      </div>
      <fieldset className="space-y-4 rounded-lg p-4 ring-1 ring-zinc-200 dark:ring-zinc-800">
        <legend className="px-1 text-sm font-medium">HTTPS</legend>
        <Select label="SSL" name="ssl.mode" defaultValue={domain?.ssl.mode ?? 'none'} onChange={(e) => setMode(e.target.value)} options={sslModes} />
        {mode === 'custom' && (
          <Select
            label="Certificate"
            name="ssl.certificateId"
            defaultValue={domain?.ssl.certificateId ?? ''}
            options={[{ value: '', label: choices.certificates.length ? 'Choose…' : 'No certificates uploaded yet' }, ...choices.certificates.map((c) => ({ value: c.id, label: c.label }))]}
          />
        )}
        {mode === 'acme' && <input type="hidden" name="ssl.certificateId" value={domain?.ssl.certificateId ?? ''} />}
        {mode !== 'none' && (
          <div className="grid gap-3 sm:grid-cols-3">
            <Checkbox label="Force HTTPS" name="ssl.forceHttps" defaultChecked={domain?.ssl.forceHttps} />
            <Checkbox label="HSTS" name="ssl.hsts" defaultChecked={domain?.ssl.hsts} />
            <Checkbox label="HTTP/2" name="ssl.http2" defaultChecked={domain?.ssl.http2 ?? true} />
          </div>
        )}
        {mode === 'acme' && <p className="text-sm text-zinc-600 dark:text-zinc-400">Until the certificate is issued the domain is served over HTTP, so the challenge can be answered.</p>}
      </fieldset>
      <TextareaField
        label="Custom directives"
        name="customDirectives"
        optional
        textClass="font-mono text-[13px]"
        rows={3}
        defaultValue={domain?.customDirectives}
        placeholder={'proxy_read_timeout 300s;\nadd_header X-Frame-Options DENY;'}
        hint="Admins only. Allowed: proxy timeouts and buffers, headers, gzip, allow/deny, limit_req… Checked line by line."
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextareaField label="Expected name servers" name="nameservers.expected" optional rows={2} defaultValue={domain?.nameservers.expected.join('\n')} placeholder="ns1.example.net" />
        <Field label="Name server pattern" name="nameservers.pattern" optional defaultValue={domain?.nameservers.pattern ?? ''} placeholder="*.ns.cloudflare.com" />
      </div>
    </>
  );
}
