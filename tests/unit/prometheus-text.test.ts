import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { parsePrometheusText, seriesValue } from '../support/prometheus-text';

// The strict exposition parser the /metrics integration test scrapes with: it must read what
// prom-client writes and refuse what the format forbids.
describe('Prometheus text parser (tests/support)', () => {
  it('reads prom-client output: HELP, TYPE, labels with escapes, histograms', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'x_' });
    const c = new Counter({ name: 'x_things_total', help: 'Things, with a \\ backslash\nand a new line.', labelNames: ['route'], registers: [registry] });
    c.inc({ route: 'a "quoted" \\ path\nnext' }, 3);
    const h = new Histogram({ name: 'x_seconds', help: 'Durations.', labelNames: ['kind'], buckets: [0.1, 1], registers: [registry] });
    h.observe({ kind: 'k' }, 0.5);
    h.observe({ kind: 'k' }, 5);
    const families = parsePrometheusText(await registry.metrics());
    expect(families.get('x_things_total')).toMatchObject({ type: 'counter', help: 'Things, with a \\ backslash\nand a new line.' });
    expect(seriesValue(families, 'x_things_total', { route: 'a "quoted" \\ path\nnext' })).toBe(3);
    expect(families.get('x_seconds')!.type).toBe('histogram');
    expect(seriesValue(families, 'x_seconds_bucket', { kind: 'k', le: '0.1' })).toBe(0);
    expect(seriesValue(families, 'x_seconds_bucket', { kind: 'k', le: '1' })).toBe(1);
    expect(seriesValue(families, 'x_seconds_bucket', { kind: 'k', le: '+Inf' })).toBe(2);
    expect(seriesValue(families, 'x_seconds_count', { kind: 'k' })).toBe(2);
    expect(seriesValue(families, 'x_seconds_sum', { kind: 'k' })).toBe(5.5);
    expect(families.get('x_nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });

  it('reads values, timestamps and comments the spec allows', () => {
    const f = parsePrometheusText('# a comment\n# TYPE a gauge\na{b="1",} 1.5e3 1700000000000\na{b="2"} -Inf\na{b="3"} NaN\n\nc 2\n');
    expect(seriesValue(f, 'a', { b: '1' })).toBe(1500);
    expect(f.get('a')!.samples[0]!.timestampMs).toBe(1700000000000);
    expect(seriesValue(f, 'a', { b: '2' })).toBe(-Infinity);
    expect(Number.isNaN(seriesValue(f, 'a', { b: '3' }))).toBe(true);
    expect(f.get('c')!.type).toBe('untyped');
  });

  it.each([
    ['no final line feed', 'a 1'],
    ['bad metric name', '1a 1\n'],
    ['missing value', 'a{b="1"}\n'],
    ['junk value', 'a 1x\n'],
    ['unterminated label value', 'a{b="1} 1\n'],
    ['bad label escape', 'a{b="\\t"} 1\n'],
    ['bad HELP escape', '# HELP a x\\ty\na 1\n'],
    ['reserved label name', 'a{__name__="x"} 1\n'],
    ['label twice', 'a{b="1",b="2"} 1\n'],
    ['duplicate series', 'a{b="1"} 1\na{b="1"} 2\n'],
    ['unknown type', '# TYPE a meter\na 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['second TYPE', '# TYPE a gauge\n# TYPE a gauge\na 1\n'],
    ['family split in two', 'a 1\nb 1\na{c="1"} 1\n'],
    ['negative counter', '# TYPE a counter\na -1\n'],
    ['histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['histogram not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['histogram count differs', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
    ['bad timestamp', 'a 1 1.5\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
