import { composeAlertMessage, type AlertKind, type AlertMessageInput, type AlertSeverity } from './messages';

/**
 * Builds the composer's input for one incident from its stored row (and, when the subject still
 * exists, the extras the evaluator collected). The composer sanitizes every piece and
 * `enqueueNotification` checks the result again: this file only decides what to say.
 */
export type AlertRow = typeof import('../db/schema/sqlite').alerts.$inferSelect;

export interface MessageExtras {
  serverName?: string;
  detail?: string;
}

/** `disk:server:<id>:<mount>` → the mount; other keys have none. */
export function mountOf(key: string): string | null {
  if (!key.startsWith('disk:server:')) return null;
  const rest = key.slice('disk:server:'.length);
  const colon = rest.indexOf(':');
  return colon < 0 ? null : rest.slice(colon + 1);
}

export function composeIncidentMessage(
  state: 'fired' | 'resolved' | 'reminder',
  a: AlertRow,
  extras: MessageExtras,
  threshold: number | null,
  now: Date,
): string {
  const input: AlertMessageInput = {
    kind: a.kind as AlertKind,
    state,
    severity: a.severity as AlertSeverity,
    startedAt: a.startedAt ?? a.pendingSince,
    ...(a.value !== null ? { value: a.value } : {}),
    ...(threshold !== null ? { threshold } : {}),
    ...subjectParts(a, extras),
  };
  const mount = mountOf(a.key);
  if (mount !== null) input.mount = mount;
  if (extras.detail) input.detail = extras.detail;
  if (state === 'fired') input.durationSeconds = Math.max(0, (now.getTime() - a.pendingSince.getTime()) / 1000);
  if (state === 'resolved') input.resolvedAt = a.resolvedAt ?? now;
  if (state === 'reminder') input.now = now;
  return composeAlertMessage(input);
}

function subjectParts(a: AlertRow, extras: MessageExtras): Pick<AlertMessageInput, 'server' | 'domain' | 'upstream'> {
  const server = extras.serverName ? { server: { name: extras.serverName } } : {};
  switch (a.subjectType) {
    case 'server':
      return { server: { name: extras.serverName ?? a.subjectName } };
    case 'domain':
    case 'certificate':
      return { ...server, domain: { fqdn: a.subjectName } };
    case 'upstream':
      return { upstream: { name: a.subjectName } };
  }
}
