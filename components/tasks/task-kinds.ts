/** What the console calls each task kind; kinds of other features read as words ("domain deploy"). */
const labels: Record<string, string> = {
  'server.test': 'Connection test',
  'server.install_nginx': 'Install Nginx',
  'server.install_glances': 'Install Glances',
  'bulk.run': 'Bulk action',
};

export function taskLabel(kind: string): string {
  return labels[kind] ?? kind.replace(/[._]/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export const finished = (status: string) => status === 'succeeded' || status === 'failed' || status === 'interrupted';

/** "1.2 s", "3 min 4 s": how long a task ran (or has been running). */
export function duration(startedAt: string | null, finishedAt: string | null, now = Date.now()): string | null {
  if (!startedAt) return null;
  const ms = (finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt);
  if (ms < 0) return null;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
