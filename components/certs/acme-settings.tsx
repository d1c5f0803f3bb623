'use client';

import { useState } from 'react';
import type { SettingsDto } from '@/lib/settings/schemas';
import { ACME_DIRECTORIES, presetOf, type AcmePreset } from '@/lib/certs/acme-directories';
import { saveAcmeAction } from '@/app/(console)/certificates/actions';
import { Form, FormMessage, SubmitButton } from '@/components/ui/form';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Select } from '@/components/ui/select';
import { useToastedAction } from '@/components/ui/use-toasted-action';

const ENV: Record<string, string> = { directoryUrl: 'ACME_DIRECTORY_URL', email: 'ACME_EMAIL' };

const PRESET_OPTIONS = [
  { value: 'production', label: ACME_DIRECTORIES.production.label },
  { value: 'staging', label: ACME_DIRECTORIES.staging.label },
  { value: 'custom', label: 'Another ACME server…' },
];

const BADGE: Record<AcmePreset, { text: string; tone: 'green' | 'amber' | 'blue' }> = {
  production: { text: "Let's Encrypt", tone: 'green' },
  staging: { text: 'staging', tone: 'amber' },
  custom: { text: 'custom', tone: 'blue' },
};

/**
 * Settings → ACME: which ACME server issues certificates (a preset or a URL) and the account's
 * contact e-mail. Values set by environment variables are shown read-only, as on the Telegram card.
 */
export function AcmeSettings({ acme, readOnly }: { acme: SettingsDto['acme']; readOnly: string[] }) {
  const [state, dispatch] = useToastedAction(saveAcmeAction);
  const [preset, setPreset] = useState<AcmePreset>(presetOf(acme.directoryUrl));
  const pinned = (key: string) => readOnly.includes(`acme.${key}`);
  const envHint = (key: string) => `Set by the ${ENV[key]} environment variable; change it there.`;
  const current = BADGE[presetOf(acme.directoryUrl)];
  return (
    <Card
      title={
        <span id="acme" className="flex items-center gap-2">
          ACME certificates
          <Badge tone={current.tone} dot>
            {current.text}
          </Badge>
        </span>
      }
      description="Where certificates marked ACME are issued and renewed (HTTP-01 through each domain's own Nginx). Changes apply to the next issuance or renewal."
    >
      <Form action={dispatch} state={state}>
        <FormMessage fieldNames={['preset', 'directoryUrl', 'email']} />
        <div className="grid gap-4 sm:grid-cols-2">
          {pinned('directoryUrl') ? (
            <Field label="Directory URL" name="directoryUrl" disabled defaultValue={acme.directoryUrl} hint={envHint('directoryUrl')} />
          ) : (
            <div className="space-y-3">
              <Select
                label="ACME server"
                name="preset"
                defaultValue={presetOf(acme.directoryUrl)}
                onChange={(e) => setPreset(e.target.value as AcmePreset)}
                options={PRESET_OPTIONS}
                hint={preset === 'custom' ? undefined : <code className="font-mono text-xs break-all">{ACME_DIRECTORIES[preset].url}</code>}
              />
              {preset === 'custom' && (
                <Field
                  label="Directory URL"
                  name="directoryUrl"
                  type="url"
                  inputMode="url"
                  autoComplete="off"
                  defaultValue={presetOf(acme.directoryUrl) === 'custom' ? acme.directoryUrl : ''}
                  placeholder="https://acme.example.com/directory"
                  hint="The server's directory URL (RFC 8555), e.g. of ZeroSSL, Buypass or your own step-ca."
                />
              )}
            </div>
          )}
          <Field
            label="Account e-mail"
            name="email"
            type="email"
            autoComplete="email"
            optional={!pinned('email')}
            defaultValue={acme.email ?? ''}
            disabled={pinned('email')}
            placeholder="ops@example.com"
            hint={pinned('email') ? envHint('email') : 'The contact of the ACME account; the server may write about problems with your certificates.'}
          />
        </div>
        {!(pinned('directoryUrl') && pinned('email')) && <SubmitButton>Save</SubmitButton>}
      </Form>
    </Card>
  );
}
