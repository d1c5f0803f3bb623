import { escapeHtml, tag } from './html';
import { maskDomain } from './mask';
import { assertSafe, sanitizeText } from './sanitize';

/**
 * Telegram texts for every alert kind and state. Every piece of outside text (server, upstream
 * and mount names, domains, details) goes through `sanitizeText` and `escapeHtml`; the
 * finished message goes through `assertSafe`. Server names are sanitized too: an admin may
 * have named a server after its IP or host name, and the contract allows only the Gatehouse
 * name, so `10.0.0.5` shows as `[ip]` and `web01.example.com` as `we***01.ex***le.com`.
 */
export const ALERT_KINDS = [
  'cpu',
  'memory',
  'disk',
  'load',
  'server_down',
  'ns_mismatch',
  'cert_expiry',
  'upstream_down',
  'deploy_failed',
  'config_drift',
  'host_key_changed',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_STATES = ['fired', 'resolved', 'reminder'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export type AlertSeverity = 'info' | 'warning' | 'critical';

type Instant = Date | string | number;

export interface AlertMessageInput {
  kind: AlertKind;
  state: AlertState;
  severity: AlertSeverity;
  server?: { name: string };
  domain?: { fqdn: string };
  /** upstream_down: the pool's Gatehouse name (targets are addresses and never shown). */
  upstream?: { name: string };
  /** disk: the mount point (a path, shown sanitized). */
  mount?: string;
  /** Percent for cpu/memory/disk, load average for load, days left for cert_expiry. */
  value?: number;
  threshold?: number;
  /** How long the condition has held (fired) or lasted (resolved, when times are missing). */
  durationSeconds?: number;
  startedAt: Instant;
  resolvedAt?: Instant;
  /** For reminders: the moment "open for" is measured to. Defaults to the current time. */
  now?: Instant;
  /** Raw text (an nginx error, the NS answer); sanitized and cut to `DETAIL_MAX` characters. */
  detail?: string;
}

const DETAIL_MAX = 300;
const NAME_MAX = 64;

interface KindText {
  fired: (i: AlertMessageInput) => string;
  resolved: string;
  /** The measurement line, without the trailing "for 5m". */
  metric?: (i: AlertMessageInput) => string | undefined;
  /** A fixed line for open incidents (fired, reminder): what it means, where there is no number. */
  note?: string;
}

const KINDS: Record<AlertKind, KindText> = {
  cpu: { fired: () => 'CPU usage high', resolved: 'CPU usage back to normal', metric: (i) => percentLine('CPU', i) },
  memory: {
    fired: () => 'Memory usage high',
    resolved: 'Memory usage back to normal',
    metric: (i) => percentLine('Memory', i),
  },
  disk: {
    fired: () => 'Disk almost full',
    resolved: 'Disk usage back to normal',
    metric: (i) => percentLine('Disk', i, ' used'),
  },
  load: {
    fired: () => 'Load high',
    resolved: 'Load back to normal',
    metric: (i) => withThreshold(`Load ${num(i.value, 2)}`, i.value, num(i.threshold, 2)),
  },
  server_down: { fired: () => 'Server unreachable', resolved: 'Server reachable again' },
  ns_mismatch: { fired: () => 'Nameservers do not match', resolved: 'Nameservers match again' },
  cert_expiry: {
    fired: (i) =>
      i.value !== undefined && Number.isFinite(i.value) && i.value <= 0 ? 'Certificate expired' : 'Certificate expiring soon',
    resolved: 'Certificate renewed',
    metric: (i) => {
      if (i.value === undefined || !Number.isFinite(i.value)) return undefined;
      const days = Math.floor(i.value);
      const left = days <= 0 ? 'Expired' : `Expires in ${days} day${days === 1 ? '' : 's'}`;
      const window = num(i.threshold, 0);
      return window ? `${left} (alert window ${window} days)` : left;
    },
  },
  upstream_down: { fired: () => 'Upstream target down', resolved: 'Upstream targets back up' },
  deploy_failed: { fired: () => 'Deploy failed', resolved: 'Deploy succeeded again' },
  config_drift: { fired: () => 'Config changed outside Gatehouse', resolved: 'Config back in sync' },
  // The offered fingerprint stays out of the chat: whoever must decide compares it in the console
  // (the server page shows both keys), and a chat copy would only invite trusting it from there.
  host_key_changed: {
    fired: () => 'SSH host key changed',
    resolved: 'New SSH host key trusted',
    note: 'Gatehouse refuses to connect until an admin checks the new key and trusts it.',
  },
};

const SEVERITY_HEAD: Record<AlertSeverity, string> = {
  critical: '🔴 <b>Critical</b>',
  warning: '🟠 <b>Warning</b>',
  info: '🔵 <b>Info</b>',
};

/**
 * Composes the Telegram HTML text for one alert notification. Throws `UnsafeMessageError`
 * outside production if anything unsafe got through (see `assertSafe`).
 */
export function composeAlertMessage(input: AlertMessageInput, options: { mode?: 'throw' | 'redact' } = {}): string {
  const kind = KINDS[input.kind];
  const lines: string[] = [];
  const title = input.state === 'resolved' ? kind.resolved : kind.fired(input);
  const head =
    input.state === 'resolved' ? '✅ <b>Resolved</b>' : input.state === 'reminder' ? '🔁 <b>Still open</b>' : SEVERITY_HEAD[input.severity];
  lines.push(`${head} · ${escapeHtml(title)}`);

  if (input.server) lines.push(`Server: ${tag('b', safeName(input.server.name))}`);
  if (input.domain) lines.push(`Domain: ${tag('b', escapeHtml(sanitizeText(maskDomain(input.domain.fqdn), { maxLength: 255 })))}`);
  if (input.upstream) lines.push(`Upstream: ${tag('b', safeName(input.upstream.name))}`);
  if (input.mount !== undefined) lines.push(`Mount: ${tag('code', escapeHtml(sanitizeText(input.mount, { maxLength: NAME_MAX })))}`);

  if (kind.note && input.state !== 'resolved') lines.push(escapeHtml(kind.note));

  const metric = kind.metric?.(input);
  lines.push(...timingLines(input, metric ? escapeHtml(metric) : undefined));

  const detail = input.detail === undefined ? '' : sanitizeText(input.detail, { maxLength: DETAIL_MAX }).trim();
  if (detail) lines.push(tag('code', escapeHtml(detail)));

  return assertSafe(lines.filter((l) => l !== '').join('\n'), options);
}

function timingLines(input: AlertMessageInput, metric: string | undefined): string[] {
  const started = toDate(input.startedAt);
  const since = started ? `since ${formatTime(started)}` : '';
  if (input.state === 'resolved') {
    const resolved = toDate(input.resolvedAt);
    const seconds = started && resolved ? (resolved.getTime() - started.getTime()) / 1000 : input.durationSeconds;
    const lasted = seconds !== undefined && seconds >= 0 ? `${input.kind === 'server_down' ? 'Was down' : 'Lasted'} ${formatDuration(seconds)}` : '';
    return [metric ? `Now: ${metric}` : '', lasted];
  }
  if (input.state === 'reminder') {
    const now = toDate(input.now ?? Date.now());
    const open = started && now ? `Open for ${formatDuration((now.getTime() - started.getTime()) / 1000)}, ${since}` : '';
    return [metric ?? '', open];
  }
  const held = input.durationSeconds !== undefined && input.durationSeconds > 0 ? formatDuration(input.durationSeconds) : '';
  if (input.kind === 'server_down') return [held ? `Unreachable for ${held}` : '', capitalize(since)];
  return [metric && held ? `${metric} for ${held}` : (metric ?? ''), capitalize(since)];
}

function safeName(name: string): string {
  const clean = sanitizeText(name, { maxLength: NAME_MAX }).trim();
  return escapeHtml(clean || '(unnamed)');
}

function percentLine(label: string, i: AlertMessageInput, suffix = ''): string | undefined {
  if (i.value === undefined || !Number.isFinite(i.value)) return undefined;
  const threshold = i.threshold !== undefined && Number.isFinite(i.threshold) ? `${num(i.threshold, 1)}%` : '';
  return withThreshold(`${label} ${num(i.value, 1)}%${suffix}`, i.value, threshold);
}

function withThreshold(text: string, value: number | undefined, threshold: string): string | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return threshold ? `${text} (threshold ${threshold})` : text;
}

/** A number with at most `digits` decimals and no trailing zeros; '' when absent. */
function num(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return '';
  return String(Number(value.toFixed(digits)));
}

/** `45s`, `5m`, `1h 5m`, `2d 3h`: two units at most, which is all a phone screen needs. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s % 60}s`;
}

/** `2025-11-26 05:37 UTC`: one time zone for everyone in the chat. */
function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function toDate(value: Instant | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}
