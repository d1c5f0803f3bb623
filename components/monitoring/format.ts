/** Number formats shared by the dashboard and the metrics charts. */

export const formatPercent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toFixed(v >= 99.95 ? 0 : 1)} %`);

export const formatLoad = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));

const UNITS = ['B/s', 'KB/s', 'MB/s', 'GB/s'];

export function formatRate(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  let n = v;
  let i = 0;
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${UNITS[i]}`;
}

/** Usage levels: the bar colour, always next to the number (colour is never the only signal). */
export function level(v: number | null | undefined): 'ok' | 'warn' | 'crit' | 'none' {
  if (v === null || v === undefined) return 'none';
  return v >= 90 ? 'crit' : v >= 75 ? 'warn' : 'ok';
}
