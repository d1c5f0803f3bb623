'use client';

import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  format: (v: number | null) => string;
  /** Axis tick text (default: `format`), e.g. "50 %" instead of "50.0 %". */
  axis?: (v: number) => string;
}

// Axis width from its longest tick label, so "120.5 KB/s" is not clipped on the left.
const axisSize = (_u: uPlot, values: string[] | null) => (values?.length ? Math.max(...values.map((v) => v.length)) * 7 + 18 : 40);
const when = (_u: uPlot, v: number | null) => (v === null ? '' : new Date(v * 1000).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));

const AXIS = '#71717a'; // zinc-500: readable on light and dark backgrounds
const GRID = 'rgba(113, 113, 122, 0.18)';

/**
 * A uPlot line chart sized to its container (ResizeObserver). Data changes call setData instead of
 * rebuilding the chart; series changes rebuild it. `yMax` pins percentages to 0–100. `xRange`
 * (Unix seconds) is the time axis whatever the data covers: a window of 7 days with one sample
 * still spans those 7 days, instead of uPlot widening one point into years.
 */
export function UPlotChart({
  data,
  series,
  yMax,
  xRange,
  height = 180,
  label,
}: {
  data: AlignedData;
  series: ChartSeries[];
  yMax?: number;
  xRange?: readonly [number, number];
  height?: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef({ data, xRange });
  const seriesKey = series.map((s) => s.label).join('|');

  useEffect(() => {
    latest.current = { data, xRange };
    chart.current?.setData(data);
  }, [data, xRange]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: Options = {
      width: el.clientWidth || 600,
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      // The time axis's ends, readable without the canvas (tests, tools): data-x-from / data-x-to.
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || u.scales.x.min == null || u.scales.x.max == null) return;
            el.dataset.xFrom = new Date(u.scales.x.min * 1000).toISOString();
            el.dataset.xTo = new Date(u.scales.x.max * 1000).toISOString();
          },
        ],
      },
      scales: {
        // Read at every setData: the window of the data shown now.
        x: { time: true, range: (_u, min, max) => (latest.current.xRange ? [latest.current.xRange[0], latest.current.xRange[1]] : [min, max]) },
        y: yMax ? { range: [0, yMax] } : { range: (_u, _min, max) => [0, Math.max(max * 1.1, 0.1)] },
      },
      axes: [
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
        { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, size: axisSize, values: (_u, vals) => vals.map((v) => (series[0].axis ?? series[0].format)(v)) },
      ],
      series: [
        { label: 'Time', value: when },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, fill: series.length === 1 ? `${s.color}22` : undefined, value: (_u: uPlot, v: number | null) => (v === null ? '' : s.format(v)), spanGaps: false })),
      ],
    };
    const u = new uPlot(opts, latest.current.data, el);
    chart.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
    // series is described by seriesKey; rebuilding on every render would lose the cursor
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey, yMax, height]);

  return <div ref={box} role="img" aria-label={label} className="w-full text-zinc-700 dark:text-zinc-300" />;
}
