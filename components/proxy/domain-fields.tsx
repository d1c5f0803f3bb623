'use client';

import { useState } from 'react';
import type { DomainDto } from '@/lib/proxy/dto';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { Field } from '@/components/ui/field';
import { useFieldState } from '@/components/ui/form';
import { Select } from '@/components/ui/select';
import { TextareaField } from '@/components/ui/textarea-field';
import { TagInput } from '@/components/ui/tag-input';

export interface DomainChoices {
  servers: { id: string; name: string }[];
  upstreams: { id: string; name: string }[];
  templates: { id: string; name: string; kind: 'http' | 'ssl' }[];
  certificates: { id: string; label: string }[];
  accessLists: { id: string; name: string }[];
  /** Only admins set templates and custom directives; an operator's form carries them unchanged. */
  admin?: boolean;
  /** Servers the actor may put domains on (null or absent: every server listed). */
  operable?: string[] | null;
}

/** May the actor change, deploy or delete domains on this server? */
export const canOperate = (choices: Pick<DomainChoices, 'operable'>, serverId: string) => !choices.operable || choices.operable.includes(serverId);

const MAX_LOCATIONS = 32;
const locationKeys = ['path', 'upstreamId', 'redirect.url', 'redirect.code', 'redirect.preservePath', 'websocket', 'clientMaxBodySize', 'accessListId'];

/** Names of the fields below, for ModalForm's fieldNames (errors for other names go on top). */
export const domainFieldNames = [
  'fqdn', 'aliases', 'serverId', 'upstreamId', 'templateId', 'ssl.mode', 'ssl.certificateId', 'ssl.forceHttps', 'ssl.hsts', 'ssl.http2',
  'websocket', 'clientMaxBodySize', 'customDirectives', 'nameservers.expected', 'nameservers.pattern', 'tags', 'logs.access', 'logs.error',
  'redirect.url', 'redirect.code', 'redirect.preservePath', 'accessListId',
  ...Array.from({ length: MAX_LOCATIONS }, (_, i) => locationKeys.map((k) => `locations.${i}.${k}`)).flat(),
];

const redirectCodes = [
  { value: '301', label: '301 Permanent' },
  { value: '302', label: '302 Temporary' },
  { value: '307', label: '307 Temporary, same method' },
  { value: '308', label: '308 Permanent, same method' },
];

type LocationRow = { key: number; value?: DomainDto['locations'][number] };
let nextKey = 1;

/** One location: its path prefix, where it goes (a pool or a redirect) and its own settings. */
function LocationFields({ i, value, choices, onRemove }: { i: number; value?: DomainDto['locations'][number]; choices: DomainChoices; onRemove: () => void }) {
  const p = `locations.${i}.`;
  const echoed = useFieldState(`${p}upstreamId`).value;
  const [to, setTo] = useState(typeof echoed === 'string' ? echoed : value ? (value.upstreamId ?? '') : (choices.upstreams[0]?.id ?? ''));
  return (
    <div className="rounded-lg p-3 ring-1 ring-zinc-200 dark:ring-zinc-800" role="group" aria-label={`Location ${i + 1}`}>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Path prefix" name={`${p}path`} defaultValue={value?.path} placeholder="/api/" autoComplete="off" hint="Requests starting with this path." />
        <Select
          label="Send to"
          name={`${p}upstreamId`}
          defaultValue={to}
          onChange={(e) => setTo(e.target.value)}
          options={[...choices.upstreams.map((u) => ({ value: u.id, label: `Pool ${u.name}` })), { value: '', label: 'Redirect…' }]}
        />
      </div>
      {to === '' && (
        <div className="mt-3 grid gap-3 sm:grid-cols-[1fr_16rem]">
          <Field label="Redirect to URL" name={`${p}redirect.url`} defaultValue={value?.redirect?.url} placeholder="https://example.com/new/" autoComplete="off" />
          <Select label="Code" name={`${p}redirect.code`} defaultValue={String(value?.redirect?.code ?? 301)} options={redirectCodes} />
          <Checkbox label="Keep the request's path and query" name={`${p}redirect.preservePath`} defaultChecked={value?.redirect?.preservePath ?? true} />
        </div>
      )}
      <div className="mt-3 grid gap-3 sm:grid-cols-2">
        <Field label="Max request body" name={`${p}clientMaxBodySize`} defaultValue={value?.clientMaxBodySize ?? '1m'} />
        <Select
          label="Access list"
          name={`${p}accessListId`}
          defaultValue={value?.accessListId ?? ''}
          options={[{ value: '', label: 'Same as the domain' }, ...choices.accessLists.map((a) => ({ value: a.id, label: a.name }))]}
        />
      </div>
      <div className="mt-3 flex items-center justify-between gap-3">
        <Checkbox label="WebSocket support" name={`${p}websocket`} defaultChecked={value?.websocket} />
        <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove location ${i + 1}`}>
          Remove
        </Button>
      </div>
    </div>
  );
}

const sslModes = [
  { value: 'none', label: 'None (HTTP only)' },
  { value: 'custom', label: 'Custom certificate' },
  { value: 'acme', label: 'ACME (Let\'s Encrypt)' },
];

/**
 * The create and edit form of a domain; `domain` given means edit. For an operator (not an
 * admin) the server list holds only the servers they operate, and the template and custom
 * directives are shown read-only and sent back unchanged.
 */
export function DomainFields({ domain, choices }: { domain?: DomainDto; choices: DomainChoices }) {
  const admin = choices.admin !== false;
  const servers = choices.servers.filter((s) => canOperate(choices, s.id));
  const echoed = useFieldState('ssl.mode').value;
  const [mode, setMode] = useState(typeof echoed === 'string' ? echoed : (domain?.ssl.mode ?? 'none'));
  const kind = mode === 'none' ? 'http' : 'ssl';
  const [locations, setLocations] = useState<LocationRow[]>(() => (domain?.locations ?? []).map((value) => ({ key: nextKey++, value })));
  const echoedUrl = useFieldState('redirect.url').value;
  const [redirecting, setRedirecting] = useState(typeof echoedUrl === 'string' ? echoedUrl !== '' : Boolean(domain?.redirect));
  const templates = [{ value: '', label: 'Built-in (chosen by SSL mode)' }, ...choices.templates.filter((t) => t.kind === kind && !t.id.startsWith('builtin-')).map((t) => ({ value: t.id, label: t.name }))];
  return (
    <>
      <Field label="Domain name" name="fqdn" required defaultValue={domain?.fqdn} placeholder="app.example.com" autoComplete="off" hint="Unicode names are stored as punycode." />
      <TextareaField label="Aliases" name="aliases" optional rows={2} defaultValue={domain?.aliases.join('\n')} placeholder={'www.example.com\n*.example.com'} hint="One per line. A leading *. makes a wildcard." />
      <TagInput initial={domain?.tags ?? []} hint='Group domains to filter the list. Lower-case letters, digits and "-"; Enter or comma adds one. Not part of the Nginx file.' />
      <div className="grid gap-4 sm:grid-cols-2">
        <Select label="Server" name="serverId" defaultValue={domain?.serverId} options={servers.map((s) => ({ value: s.id, label: s.name }))} />
        <Select
          label="Upstream pool"
          name="upstreamId"
          defaultValue={domain?.upstreamId ?? (domain ? '' : undefined)}
          options={[...choices.upstreams.map((u) => ({ value: u.id, label: u.name })), { value: '', label: 'None (the domain redirects)' }]}
          hint="Where / goes, unless the domain redirects."
        />
      </div>
      <fieldset className="space-y-3 rounded-lg p-4 ring-1 ring-zinc-200 dark:ring-zinc-800">
        <legend className="px-1 text-sm font-medium">Redirect</legend>
        <Checkbox label="Redirect this domain to another URL" name="redirecting" defaultChecked={redirecting} onChange={(e) => setRedirecting(e.currentTarget.checked)} />
        {redirecting && (
          <div className="grid gap-3 sm:grid-cols-[1fr_16rem]">
            <Field label="Redirect to URL" name="redirect.url" defaultValue={domain?.redirect?.url} placeholder="https://www.example.com/" autoComplete="off" hint="http:// or https://. Locations below still apply to their paths." />
            <Select label="Code" name="redirect.code" defaultValue={String(domain?.redirect?.code ?? 301)} options={redirectCodes} />
            <Checkbox label="Keep the request's path and query" name="redirect.preservePath" defaultChecked={domain?.redirect?.preservePath ?? true} />
          </div>
        )}
      </fieldset>
      <Select
        label="Access list"
        name="accessListId"
        defaultValue={domain?.accessListId ?? ''}
        options={[{ value: '', label: 'None (open to everyone)' }, ...choices.accessLists.map((a) => ({ value: a.id, label: a.name }))]}
        hint="Passwords and address rules for the whole domain (the ACME challenge path stays open)."
      />
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Locations</legend>
        {locations.length === 0 && <p className="text-sm text-zinc-600 dark:text-zinc-400">No extra paths: everything goes to the pool or the redirect above.</p>}
        {locations.map((r, i) => (
          <LocationFields key={r.key} i={i} value={r.value} choices={choices} onRemove={() => setLocations((cur) => cur.filter((x) => x.key !== r.key))} />
        ))}
        {locations.length < MAX_LOCATIONS && (
          <Button size="sm" onClick={() => setLocations((cur) => [...cur, { key: nextKey++ }])}>
            Add location
          </Button>
        )}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Max request body" name="clientMaxBodySize" defaultValue={domain?.clientMaxBodySize ?? '1m'} hint="Larger uploads get 413. E.g. 1m, 512k, 0 for no limit." />
        {admin ? (
          <Select label="Template" name="templateId" defaultValue={domain?.templateId ?? ''} options={templates} hint={`Your ${kind.toUpperCase()} templates are listed.`} />
        ) : (
          <div className="text-sm">
            <input type="hidden" name="templateId" value={domain?.templateId ?? ''} />
            <p className="font-medium">Template</p>
            <p className="mt-1 text-zinc-600 dark:text-zinc-400">{domain?.templateId ? 'A template chosen by an admin.' : 'Built-in (chosen by SSL mode).'} Only an admin changes it.</p>
          </div>
        )}
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
      {admin ? (
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
      ) : (
        <div className="text-sm">
          <input type="hidden" name="customDirectives" value={domain?.customDirectives ?? ''} />
          <p className="font-medium">Custom directives</p>
          {domain?.customDirectives?.trim() ? (
            <pre className="mt-1 overflow-auto rounded-md bg-zinc-50 p-2 font-mono text-[13px] dark:bg-zinc-900">{domain.customDirectives}</pre>
          ) : (
            <p className="mt-1 text-zinc-600 dark:text-zinc-400">None.</p>
          )}
          <p className="mt-1 text-zinc-600 dark:text-zinc-400">Only an admin sets custom directives.</p>
        </div>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextareaField label="Expected name servers" name="nameservers.expected" optional rows={2} defaultValue={domain?.nameservers.expected.join('\n')} placeholder="ns1.example.net" />
        <Field label="Name server pattern" name="nameservers.pattern" optional defaultValue={domain?.nameservers.pattern ?? ''} placeholder="*.ns.cloudflare.com" />
      </div>
    </>
  );
}
