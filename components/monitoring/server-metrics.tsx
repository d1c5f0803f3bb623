'use client';

import { useMemo, useState } from 'react';
import useSWR from 'swr';
import type { AlignedData } from 'uplot';
import type { MetricPointDto, MetricsDto } from '@/lib/monitoring/schemas';
import { Card } from '@/components/ui/card';
import { cx } from '@/components/ui/cx';
import { Notice } from '@/components/ui/notice';
import { fetchJson } from '@/components/realtime/fetch-json';
import { useRevalidateOn } from '@/components/realtime/use-events';
import { formatLoad, formatPercent, formatRate } from './format';
import { UPlotChart, type ChartSeries } from './uplot-chart';

const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
const RANGE_NAMES: Record<Range, string> = { '1h': 'last hour', '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days' };
const RESOLUTION_NAMES = { raw: 'one point per sample', '5m': '5-minute averages', '1h': 'hourly averages' };

type MetricKey = Exclude<keyof MetricPointDto, 'at'>;

/** The metrics of one window, with the window itself (Unix seconds) for the charts' time axis. */
type MetricsView = MetricsDto & { window: [number, number] };

async function fetchMetrics([, id, range]: readonly [string, string, Range]): Promise<MetricsView> {
  const to = new Date();
  const from = new Date(to.getTime() - RANGES[range]);
  const dto = await fetchJson<MetricsDto>(`/api/v1/servers/${encodeURIComponent(id)}/metrics?from=${from.toISOString()}&to=${to.toISOString()}`);
  return { ...dto, window: [from.getTime() / 1000, to.getTime() / 1000] };
}

const pct = (label: string, color: string): ChartSeries => ({ label, color, format: (v) => formatPercent(v), axis: (v) => `${Math.round(v)} %` });

const CHARTS: Array<{ title: string; yMax?: number; series: Array<{ key: MetricKey; s: ChartSeries }> }> = [
  { title: 'CPU', yMax: 100, series: [{ key: 'cpu', s: pct('CPU', '#6366f1') }] },
  { title: 'Memory', yMax: 100, series: [{ key: 'memory', s: pct('Memory', '#0ea5e9') }] },
  { title: 'Disk (fullest mount)', yMax: 100, series: [{ key: 'disk', s: pct('Disk', '#f59e0b') }] },
  {
    title: 'Load average',
    series: [
      { key: 'load1', s: { label: '1 min', color: '#10b981', format: formatLoad } },
      { key: 'load5', s: { label: '5 min', color: '#6366f1', format: formatLoad } },
      { key: 'load15', s: { label: '15 min', color: '#a1a1aa', format: formatLoad } },
    ],
  },
  {
    title: 'Network',
    series: [
      { key: 'netRx', s: { label: 'Received', color: '#0ea5e9', format: formatRate } },
      { key: 'netTx', s: { label: 'Sent', color: '#f43f5e', format: formatRate } },
    ],
  },
];

/** History charts of one server with a range picker; a new sample refetches them (no polling). */
export function ServerMetrics({ serverId }: { serverId: string }) {
  const [range, setRange] = useState<Range>('1h');
  const key = ['metrics', serverId, range] as const;
  const { data, error } = useSWR(key, fetchMetrics, { keepPreviousData: true, revalidateOnFocus: false });
  useRevalidateOn(key, ['metrics'], (d) => d.serverId === serverId, 500);

  const xs = useMemo(() => (data?.points ?? []).map((p) => Date.parse(p.at) / 1000), [data]);
  const column = (k: MetricKey) => (data?.points ?? []).map((p) => p[k]);
  const latest = data?.points.at(-1);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md shadow-sm ring-1 ring-zinc-300 dark:ring-zinc-700">
          {(Object.keys(RANGES) as Range[]).map((r, i) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              aria-label={`Show the ${RANGE_NAMES[r]}`}
              onClick={() => setRange(r)}
              className={cx(
                'px-3 py-1.5 text-sm font-medium',
                i > 0 && 'border-l border-zinc-300 dark:border-zinc-700',
                range === r ? 'bg-indigo-600 text-white dark:bg-indigo-500' : 'bg-white text-zinc-700 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800',
              )}
            >
              {r}
            </button>
          ))}
        </div>
        {data && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {data.points.length} points, {RESOLUTION_NAMES[data.resolution]}
          </p>
        )}
      </div>
      {error && <Notice tone="error">The history could not be loaded. It is tried again with the next sample.</Notice>}
      {data && data.points.length === 0 && <Notice>No samples in the {RANGE_NAMES[range]} yet. They appear here as Glances is polled.</Notice>}
      <div className="grid gap-4 lg:grid-cols-2">
        {CHARTS.map((c) => {
          const chartData = [xs, ...c.series.map((s) => column(s.key))] as AlignedData;
          const now = latest ? c.series.map((s) => `${c.series.length > 1 ? `${s.s.label} ` : ''}${s.s.format(latest[s.key])}`).join(' · ') : '—';
          return (
            <Card key={c.title} title={c.title} actions={<span className="text-sm tabular-nums text-zinc-600 dark:text-zinc-400">{now}</span>}>
              <UPlotChart data={chartData} xRange={data?.window} series={c.series.map((s) => s.s)} yMax={c.yMax} label={`${c.title}, ${RANGE_NAMES[range]}; latest ${now}`} />
            </Card>
          );
        })}
      </div>
    </div>
  );
}
