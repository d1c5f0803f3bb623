import type { AlertKind } from './messages';

/**
 * What each rule kind is called and what its threshold means, for the API, the evaluator and
 * the console alike. Free of server-only imports so client components can use it.
 */
export interface ThresholdSpec {
  /** Shown beside the field and in the API description. */
  label: string;
  unit: string;
  min: number;
  max: number;
  integer?: boolean;
  /** When a rule leaves it empty. */
  default?: number;
}

/** Kinds without an entry take no threshold: their condition is a state (down, mismatch, failed…). */
export const THRESHOLDS: Partial<Record<AlertKind, ThresholdSpec>> = {
  cpu: { label: 'CPU usage at or above', unit: '%', min: 1, max: 100 },
  memory: { label: 'Memory usage at or above', unit: '%', min: 1, max: 100 },
  disk: { label: 'Usage of any mount at or above', unit: '%', min: 1, max: 100 },
  load: { label: '1-minute load average at or above', unit: '', min: 0.1, max: 1024 },
  cert_expiry: { label: 'Days before expiry', unit: 'days', min: 1, max: 365, integer: true },
  upstream_down: { label: 'Targets down, at least', unit: 'targets', min: 1, max: 1000, integer: true, default: 1 },
};

export const KIND_LABELS: Record<AlertKind, string> = {
  cpu: 'CPU',
  memory: 'Memory',
  disk: 'Disk (any mount)',
  load: 'Load average',
  server_down: 'Server down',
  host_key_changed: 'SSH host key changed',
  ns_mismatch: 'Nameserver mismatch',
  cert_expiry: 'Certificate expiry',
  upstream_down: 'Upstream target down',
  deploy_failed: 'Deploy failed',
  config_drift: 'Config drift',
};

/** The kinds in the order the console lists them. */
export const KIND_ORDER = Object.keys(KIND_LABELS) as AlertKind[];

/** What the condition is, in a phrase ("CPU ≥ 85 %", "Server down"). */
export function describeCondition(kind: AlertKind, threshold: number | null): string {
  const spec = THRESHOLDS[kind];
  const value = threshold ?? spec?.default;
  if (!spec || value === undefined) return KIND_LABELS[kind];
  if (kind === 'cert_expiry') return `Expires within ${value} days`;
  if (kind === 'upstream_down') return `${value}+ target${value === 1 ? '' : 's'} down`;
  return `${KIND_LABELS[kind].replace(' (any mount)', '')} ≥ ${value}${spec.unit === '%' ? ' %' : ''}`;
}
