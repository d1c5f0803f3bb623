import type { Metadata } from 'next';
import { requireActor } from '@/lib/auth/session';
import { listTokens } from '@/lib/tokens/service';
import type { TokenDto } from '@/lib/tokens/schemas';
import { PasswordForm } from '@/components/account/password-form';
import { TwoFactorPanel } from '@/components/account/two-factor';
import { getTwoFactorStatus, signsInWithSingleSignOn } from '@/lib/users/two-factor';
import { NewTokenButton } from '@/components/account/new-token-button';
import { Badge, StatusPill } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, Td, Th, THead, Tr } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import { changePasswordAction, createTokenAction, revokeTokenAction } from './actions';
import { confirmTwoFactorAction, disableTwoFactorAction, startTwoFactorAction } from './two-factor-actions';

export const metadata: Metadata = { title: 'Account' };

function tokenStatus(t: TokenDto, now = Date.now()) {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= now) return 'expired';
  return 'active';
}

export default async function AccountPage() {
  const actor = await requireActor();
  const { items: tokens } = await listTokens(actor, { limit: 500 });
  const twoFactor = await getTwoFactorStatus(actor);
  // Two-factor of a single sign-on account is the identity provider's business.
  const singleSignOn = await signsInWithSingleSignOn(actor);
  return (
    <>
      <PageHeader
        title="Account"
        description={
          <>
            {actor.name ? `${actor.name} · ` : ''}
            {actor.email} <Badge tone={actor.role === 'admin' ? 'violet' : 'neutral'}>{actor.role}</Badge>
          </>
        }
      />
      <div className="space-y-6">
        <Card title="Password" description="Changing it signs you out everywhere and revokes your API tokens.">
          <PasswordForm action={changePasswordAction} />
        </Card>

        {!singleSignOn && (
          <Card
            title="Two-factor"
            description="A code from an authenticator app on your phone, asked for at sign-in with your password. API tokens are not affected."
            actions={<Badge tone={twoFactor.enabled ? 'green' : twoFactor.required ? 'amber' : 'neutral'} dot>{twoFactor.enabled ? 'on' : 'off'}</Badge>}
          >
            <TwoFactorPanel key={String(twoFactor.enabled)} status={twoFactor} start={startTwoFactorAction} confirm={confirmTwoFactorAction} disable={disableTwoFactorAction} />
          </Card>
        )}

        <Card title="API tokens" description="For the REST API and scripts. A token acts with your role." actions={<NewTokenButton action={createTokenAction} />} flush>
          {tokens.length === 0 ? (
            <div className="p-5">
              <EmptyState icon="key" title="No API tokens yet" description="Create one to call the REST API from a script." />
            </div>
          ) : (
            <Table caption="Your API tokens" framed={false}>
              <THead>
                <Th>Name</Th>
                <Th>Prefix</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Expires</Th>
                <Th>Status</Th>
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              </THead>
              <TBody>
                {tokens.map((t) => {
                  const status = tokenStatus(t);
                  return (
                    <Tr key={t.id}>
                      <Td primary>{t.name}</Td>
                      <Td>
                        <code className="font-mono text-xs">{t.prefix}…</code>
                      </Td>
                      <Td>
                        <Time iso={t.createdAt} format="date" />
                      </Td>
                      <Td>
                        <Time iso={t.lastUsedAt} empty="never" format="relative" />
                      </Td>
                      <Td>
                        <Time iso={t.expiresAt} empty="never" format="date" />
                      </Td>
                      <Td>
                        {status === 'revoked' ? (
                          <span title={t.revokedAt ?? undefined}>
                            <StatusPill status="revoked" />
                          </span>
                        ) : (
                          <StatusPill status={status} />
                        )}
                      </Td>
                      <Td className="text-right">
                        {status !== 'revoked' && (
                          <ConfirmButton
                            action={revokeTokenAction}
                            hidden={{ id: t.id }}
                            label={`Revoke token ${t.name}`}
                            title="Revoke this token?"
                            description={`Anything still using “${t.name}” will get 401 from now on. This cannot be undone.`}
                            confirmLabel="Revoke token"
                          >
                            Revoke
                          </ConfirmButton>
                        )}
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
