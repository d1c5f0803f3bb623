'use client';

import type { ServerDto } from '@/lib/servers/schemas';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Notice } from '@/components/ui/notice';
import { trustHostKeyAction } from '@/app/(console)/servers/actions';

const fp = 'block font-mono text-xs break-all';

/**
 * A refused connection: the pinned and the offered fingerprint side by side. Nothing runs on the
 * server until an admin trusts the new key; the button sends the exact fingerprint shown here.
 */
export function HostKeyPanel({ server, admin }: { server: ServerDto; admin: boolean }) {
  if (!server.offeredHostKeyFingerprint) return null;
  return (
    <Notice tone="error" title="The server's host key changed: Gatehouse refused to connect" role="alert">
      <p>
        Nothing was run on this server. If it was reinstalled or its SSH keys were replaced on purpose, trust the new key; otherwise someone may be
        impersonating it.
      </p>
      <dl className="mt-3 grid gap-2 sm:grid-cols-2">
        <div>
          <dt className="text-xs font-semibold uppercase">Pinned</dt>
          <dd className={fp}>{server.hostKeyFingerprint}</dd>
        </div>
        <div>
          <dt className="text-xs font-semibold uppercase">Offered now</dt>
          <dd className={fp}>{server.offeredHostKeyFingerprint}</dd>
        </div>
      </dl>
      {admin && (
        <div className="mt-3">
          <ConfirmButton
            action={trustHostKeyAction}
            hidden={{ id: server.id, fingerprint: server.offeredHostKeyFingerprint }}
            title="Trust the new host key?"
            description={
              <>
                Check it first on the server itself: <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> must print{' '}
                <code className="font-mono break-all">{server.offeredHostKeyFingerprint}</code>. This is recorded in the audit log.
              </>
            }
            confirmLabel="Trust this key"
            variant="primary"
            size="md"
          >
            Trust the new key…
          </ConfirmButton>
        </div>
      )}
    </Notice>
  );
}
