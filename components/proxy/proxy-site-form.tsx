'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useActionState, useState, type ReactNode } from 'react';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Form, FormMessage, initialFormState, SubmitButton, useFieldState, type FormServerAction } from '@/components/ui/form';
import { FieldError } from '@/components/ui/field-parts';
import { Notice } from '@/components/ui/notice';
import { Select } from '@/components/ui/select';
import { TextareaField } from '@/components/ui/textarea-field';
import { LiveTask } from '@/components/tasks/live-task';

type Choice = { id: string; name: string };
const FIELD_NAMES = ['fqdn', 'aliases', 'serverId', 'pool', 'upstreamId', 'poolName', 'targets', 'certificate', 'certificateId'];

/** A radio group whose error comes from the form state, like the other fields. */
function Choices({ name, legend, value, onChange, options }: { name: string; legend: string; value: string; onChange: (v: string) => void; options: { value: string; label: ReactNode; disabled?: boolean; hint?: ReactNode }[] }) {
  const { error } = useFieldState(name);
  return (
    <fieldset className="space-y-2" aria-invalid={error ? true : undefined} aria-describedby={error ? `${name}-error` : undefined}>
      <legend className="mb-1 text-sm font-medium text-zinc-800 dark:text-zinc-200">{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className={`flex items-start gap-2 text-sm ${o.disabled ? 'text-zinc-500 dark:text-zinc-400' : ''}`}>
          <input type="radio" name={name} value={o.value} checked={value === o.value} disabled={o.disabled} onChange={() => onChange(o.value)} className="mt-0.5 size-4 accent-indigo-600" />
          <span>
            {o.label}
            {o.hint && <span className="block text-xs text-zinc-500 dark:text-zinc-400">{o.hint}</span>}
          </span>
        </label>
      ))}
      <FieldError id={name} error={error} />
    </fieldset>
  );
}

type Done = { domainId: string; upstreamId: string; taskId: string };

/**
 * "Proxy a site" in one form of three parts (site, pool, certificate); one submit creates what is
 * needed and starts the deploy (or the ACME issue, which deploys), whose log follows live. When
 * it succeeds the domain's page opens; when it fails, the log says why and the domain is one click away.
 */
export function ProxySiteForm({ action, servers, upstreams, certificates, acme }: { action: FormServerAction; servers: Choice[]; upstreams: Choice[]; certificates: { id: string; label: string }[]; acme: boolean }) {
  const [state, dispatch] = useActionState(action, initialFormState);
  const [pool, setPool] = useState('new');
  const [cert, setCert] = useState('none');
  const [failed, setFailed] = useState(false);
  const [live, setLive] = useState(false);
  const router = useRouter();
  const done = state.ok ? (state.data as Done) : null;

  if (done) {
    return (
      <Card title="Putting the site live" description={cert === 'acme' ? 'Deploying, asking the CA for the certificate, then deploying it.' : 'Writing the Nginx files, checking them with nginx -t and reloading Nginx.'}>
        <LiveTask
          taskId={done.taskId}
          onFinished={(status) => {
            if (status !== 'succeeded') return setFailed(true);
            setLive(true);
            // A moment to see that it worked, then the domain's page.
            setTimeout(() => router.push(`/domains/${done.domainId}`), 1500);
          }}
        />
        {live && (
          <div className="mt-4">
            <Notice tone="success" title="The site is live" role="status">
              Nginx serves it now. Opening <Link href={`/domains/${done.domainId}`} className="font-medium underline">the domain&rsquo;s page</Link>…
            </Notice>
          </div>
        )}
        {failed && (
          <div className="mt-4">
            <Notice tone="warning" title="The site is not live yet">
              The domain and its pool were created; the log above says what stopped the deploy. Fix it on <Link href={`/domains/${done.domainId}`} className="font-medium underline">the domain&rsquo;s page</Link> and deploy again.
            </Notice>
          </div>
        )}
      </Card>
    );
  }

  return (
    <Form action={dispatch} state={state} className="max-w-3xl space-y-6">
      <FormMessage fieldNames={FIELD_NAMES} />
      <Card title="1. The site" description="The name people type, and the server whose Nginx answers it.">
        <div className="space-y-4">
          <Field label="Domain name" name="fqdn" placeholder="app.example.com" autoComplete="off" hint="Point its DNS at the server first if you want a certificate from ACME." />
          <Field label="Other names" name="aliases" optional placeholder="www.example.com" hint="More names for the same site, separated by spaces or commas." />
          <Select label="Server" name="serverId" options={servers.map((s) => ({ value: s.id, label: s.name }))} defaultValue={servers[0]?.id} />
        </div>
      </Card>
      <Card title="2. Where the traffic goes" description="A pool of one or more backends (host:port) that Nginx proxies to.">
        <div className="space-y-4">
          <Choices
            name="pool"
            legend="Pool"
            value={pool}
            onChange={setPool}
            options={[
              { value: 'new', label: 'A new pool' },
              { value: 'existing', label: 'An existing pool', disabled: upstreams.length === 0, hint: upstreams.length === 0 ? 'No pool exists yet.' : undefined },
            ]}
          />
          {pool === 'new' ? (
            <>
              <TextareaField label="Targets" name="targets" rows={3} textClass="font-mono text-sm" placeholder={'10.0.0.5:8080\n10.0.0.6:8080'} hint="One host:port a line. Traffic is shared between them." />
              <Field label="Pool name" name="poolName" optional hint="Letters, digits and dashes. Empty: named after the domain." />
            </>
          ) : (
            <Select label="Existing pool" name="upstreamId" options={upstreams.map((u) => ({ value: u.id, label: u.name }))} defaultValue={upstreams[0]?.id} />
          )}
        </div>
      </Card>
      <Card title="3. Certificate" description="HTTPS for the site, now or later.">
        <div className="space-y-4">
          <Choices
            name="certificate"
            legend="Certificate"
            value={cert}
            onChange={setCert}
            options={[
              { value: 'none', label: 'None for now (HTTP only)' },
              { value: 'existing', label: 'A certificate I uploaded', disabled: certificates.length === 0, hint: certificates.length === 0 ? <>None uploaded yet: <Link href="/certificates" className="underline">Certificates</Link>.</> : 'HTTP requests are redirected to HTTPS.' },
              { value: 'acme', label: 'A new one from ACME (Let’s Encrypt or your CA)', disabled: !acme, hint: acme ? 'Issued over HTTP-01 once the site answers, then served.' : <>Not set up: add an account e-mail under <Link href="/settings" className="underline">Settings</Link>.</> },
            ]}
          />
          {cert === 'existing' && <Select label="Uploaded certificate" name="certificateId" options={certificates.map((c) => ({ value: c.id, label: c.label }))} defaultValue={certificates[0]?.id} />}
        </div>
      </Card>
      <div className="flex items-center gap-3">
        <SubmitButton>Create and deploy</SubmitButton>
        <Link href="/domains" className="text-sm font-medium text-zinc-600 hover:underline dark:text-zinc-400">
          Cancel
        </Link>
      </div>
    </Form>
  );
}
