import type { AlertKind } from '@/lib/alerts/messages';

/** An incident's value as people read it: `93.5 %`, `load 6.2`, `10 days left`, `2 down`. */
export function formatValue(kind: AlertKind, value: number | null): string {
  if (value === null) return '—';
  const n = Number(value.toFixed(kind === 'load' ? 2 : 1));
  switch (kind) {
    case 'cpu':
    case 'memory':
    case 'disk':
      return `${n} %`;
    case 'load':
      return `load ${n}`;
    case 'cert_expiry':
      return value <= 0 ? 'expired' : `${Math.floor(value)} day${Math.floor(value) === 1 ? '' : 's'} left`;
    case 'upstream_down':
      return `${n} down`;
    default:
      return String(n);
  }
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return h ? `${d} d ${h} h` : `${d} d`;
  if (h) return m ? `${h} h ${m} min` : `${h} h`;
  if (m) return `${m} min`;
  return `${s % 60} s`;
}

export function formatLasted(startedAt: string | null, resolvedAt: string | null): string {
  if (!startedAt || !resolvedAt) return '—';
  return formatSeconds((Date.parse(resolvedAt) - Date.parse(startedAt)) / 1000);
}
